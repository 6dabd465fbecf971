/** Host facts the fix plan needs besides the report: the current persist file and whether it can be written. */
import { HostRoot } from '../host/root.ts';
import type { ExistingFile } from './plan.ts';
import { PERSIST_PATH } from './persist-file.ts';

export interface FixHostContext {
  existingFile?: ExistingFile;
  modulesLoadDWritable: boolean;
  /** Where the persist path leads inside the host root (`/usr/lib/modules-load.d/...` through a link), when it differs. */
  persistResolved?: string;
}

/** Reads the persist file (if any, resolved inside the host root) and probes writability of where it would go. */
export async function readFixContext(hostRoot: HostRoot | string): Promise<FixHostContext> {
  const host = typeof hostRoot === 'string' ? new HostRoot(hostRoot) : hostRoot;
  const read = await host.read(PERSIST_PATH);
  const resolution = await host.resolve(PERSIST_PATH).catch(() => undefined);
  const persistResolved = resolution && resolution.resolvedHostPath !== PERSIST_PATH ? resolution.resolvedHostPath : undefined;
  const existingFile: ExistingFile | undefined = read.ok
    ? { content: read.text }
    : read.absent
      ? undefined
      : { content: '', problem: read.reason };
  const linked = (await host.isLink(PERSIST_PATH)) ? { content: read.ok ? read.text : '', problem: `${host.describe(PERSIST_PATH)} is a symbolic link, not a file mesh-preflight wrote` } : undefined;
  return {
    existingFile: linked ?? existingFile,
    modulesLoadDWritable: await host.canCreate(PERSIST_PATH),
    ...(persistResolved ? { persistResolved } : {}),
  };
}
