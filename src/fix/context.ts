/** Host facts the fix plan needs besides the report: the current persist file and whether it can be written. */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { nodeFs, type FsLayer } from './atomic-write.ts';
import type { ExistingFile } from './plan.ts';
import { PERSIST_PATH } from './persist-file.ts';

export interface FixHostContext {
  existingFile?: ExistingFile;
  modulesLoadDWritable: boolean;
}

/** Reads the persist file (if any) and probes writability of its directory (or of /etc when it is absent). */
export async function readFixContext(hostRoot: string, fs: FsLayer = nodeFs): Promise<FixHostContext> {
  const root = path.resolve(hostRoot);
  const file = path.join(root, PERSIST_PATH);
  const content = await fs.readFile(file).catch(() => undefined);
  return { existingFile: content === undefined ? undefined : { content }, modulesLoadDWritable: await firstExistingWritable(path.dirname(file), root) };
}

// access(W_OK) reports EROFS for a read-only mount even as root, which is the case we must catch.
async function firstExistingWritable(dir: string, root: string): Promise<boolean> {
  for (let d = dir; d.startsWith(root); d = path.dirname(d)) {
    try {
      await access(d, constants.F_OK);
    } catch {
      if (d === root) return false;
      continue;
    }
    try {
      await access(d, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }
  return false;
}
