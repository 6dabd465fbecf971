/**
 * The agent loads each module at most once per boot: a record of attempted modules keyed by the host's
 * boot id (/proc/sys/kernel/random/boot_id, a UUID that changes at every boot; random(4)), so a module
 * that fails to load is not retried on every re-check, yet is tried again after a reboot.
 * Stored below the host root at RECORD_PATH (/var/lib persists across reboots, even on COS).
 */
import path from 'node:path';
import { z } from 'zod';
import { HostRoot } from '../host/root.ts';
import { atomicReplace, nodeFs, type FsLayer } from './atomic-write.ts';

/** Host path of the record. */
export const RECORD_PATH = '/var/lib/mesh-preflight/fix-attempts.json';
/** Host path of the boot id. */
export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

const RecordSchema = z.object({ bootId: z.string(), attempted: z.array(z.string()) });
export type BootRecord = z.infer<typeof RecordSchema>;

/** Reads the record; a missing, corrupt or other-boot record reads as empty for this boot. */
export async function readBootRecord(host: HostRoot | string, bootId: string): Promise<BootRecord> {
  const text = await hostOf(host).readText(RECORD_PATH);
  if (text !== undefined) {
    try {
      const parsed = RecordSchema.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.bootId === bootId) return parsed.data;
    } catch {
      // corrupt record: start over for this boot
    }
  }
  return { bootId, attempted: [] };
}

/** Adds modules to this boot's record (atomic write, inside the host root; throws when it cannot). */
export async function recordAttempts(host: HostRoot | string, record: BootRecord, modules: readonly string[], fs: FsLayer = nodeFs): Promise<BootRecord> {
  const next: BootRecord = { bootId: record.bootId, attempted: [...new Set([...record.attempted, ...modules])].sort() };
  const dir = await hostOf(host).openDirectory(path.posix.dirname(RECORD_PATH), { create: true });
  try {
    await atomicReplace(dir.entry(path.posix.basename(RECORD_PATH)), JSON.stringify(next, null, 2) + '\n', fs, 0o644, () => dir.verify());
  } finally {
    await dir.close();
  }
  return next;
}

function hostOf(host: HostRoot | string): HostRoot {
  return typeof host === 'string' ? new HostRoot(host) : host;
}
