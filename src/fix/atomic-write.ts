/**
 * Atomic, ownership-aware file writes for the persisted modules-load.d file.
 *
 * Guarantee: at every instant the target holds either its old content or the complete new content,
 * never a prefix. The new content goes to a temp file in the same directory (same filesystem, so
 * rename(2) is atomic), is fsynced, renamed over the target, then the directory is fsynced so the
 * rename itself survives a crash. The temp file is removed in `finally` whatever step failed.
 * Temp and backup names do not end in `.conf`, so systemd-modules-load never reads a leftover.
 * Model: npm write-file-atomic lib/index.js (temp beside target → fsync → rename → cleanup).
 *
 * Callers pass paths inside a HostDirectory (src/host/host-dir.ts), so every call is walked from the
 * verified open directory; `guard` re-verifies that directory right before the commit (rename/unlink).
 * The target is never followed if it is a link (O_NOFOLLOW): a link is not a file we wrote.
 * Every filesystem call goes through an FsLayer so tests can fail each step.
 */
import { constants } from 'node:fs';
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isOwnedContent } from './persist-file.ts';

/** An open file, as much as the writer needs of it. */
export interface FileLike {
  write(data: string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The filesystem calls the writer makes; the real one is nodeFs, tests wrap it to fail a step. */
export interface FsLayer {
  /** File text, or undefined when the file does not exist (other errors throw; a link is ELOOP). */
  readFile(file: string): Promise<string | undefined>;
  /** Opens a new file exclusively (O_CREAT|O_EXCL|O_WRONLY) with this mode. */
  openNew(file: string, mode: number): Promise<FileLike>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  /** Copies without overwriting an existing destination. */
  copyFileExclusive(from: string, to: string): Promise<void>;
  /** fsync of a directory, so a rename or unlink in it is durable. */
  fsyncDir(dir: string): Promise<void>;
}

/** The real filesystem. */
export const nodeFs: FsLayer = {
  async readFile(file) {
    let handle;
    try {
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      if (!(await handle.stat()).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EISDIR' });
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  },
  async openNew(file, mode) {
    const handle = await open(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    return {
      write: async (data) => {
        await handle.writeFile(data, 'utf8');
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => rename(from, to),
  unlink: (file) => unlink(file),
  copyFileExclusive: (from, to) => copyFile(from, to, constants.COPYFILE_EXCL),
  async fsyncDir(dir) {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** Re-verifies the directory written into; throws (a HostPathError) when it changed. */
export type WriteGuard = () => Promise<void>;

/**
 * Replaces `target` with `content` atomically (no ownership logic). Throws on failure, after removing
 * the temp file; the target then still has its old content. `guard` runs after the temp file is
 * complete and before the rename: when it throws, nothing is committed.
 */
export async function atomicReplace(target: string, content: string, fs: FsLayer = nodeFs, mode = 0o644, guard?: WriteGuard): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let file: FileLike | undefined;
  let renamed = false;
  try {
    file = await fs.openNew(temp, mode);
    await file.write(content);
    await file.sync();
    const opened = file;
    file = undefined;
    await opened.close();
    await guard?.();
    await fs.rename(temp, target);
    renamed = true;
    await fs.fsyncDir(dir);
  } finally {
    if (file) await file.close().catch(() => undefined);
    if (!renamed) await fs.unlink(temp).catch(() => undefined);
  }
}

export type OwnedWriteOutcome = 'created' | 'updated' | 'unchanged' | 'foreign-kept' | 'replaced-foreign';

export interface OwnedWriteResult {
  outcome: OwnedWriteOutcome;
  /** Set when a foreign file was replaced: where its backup is. */
  backup?: string;
}

export interface OwnedWriteOptions {
  force?: boolean;
  fs?: FsLayer;
  now?: () => Date;
  guard?: WriteGuard;
}

/**
 * Writes a file that we own (content must carry the ownership marker): no write when the content is
 * already right; a file without our marker is left alone unless `force`, which first keeps a backup
 * `<file>.bak-<timestamp>`.
 */
export async function writeOwnedFile(target: string, content: string, options: OwnedWriteOptions = {}): Promise<OwnedWriteResult> {
  const fs = options.fs ?? nodeFs;
  const guard = options.guard;
  if (!isOwnedContent(content)) throw new Error('refusing to write an owned file without the ownership marker');
  const current = await fs.readFile(target);
  if (current === content) return { outcome: 'unchanged' };
  if (current === undefined) {
    await atomicReplace(target, content, fs, 0o644, guard);
    return { outcome: 'created' };
  }
  if (isOwnedContent(current)) {
    await atomicReplace(target, content, fs, 0o644, guard);
    return { outcome: 'updated' };
  }
  if (!options.force) return { outcome: 'foreign-kept' };
  const backup = `${target}.bak-${timestamp((options.now ?? (() => new Date()))())}`;
  await guard?.();
  await fs.copyFileExclusive(target, backup);
  await atomicReplace(target, content, fs, 0o644, guard);
  return { outcome: 'replaced-foreign', backup };
}

export type RemoveOutcome = 'removed' | 'absent' | 'foreign-kept';

/** Removes `target` only when it carries our ownership marker. */
export async function removeOwnedFile(target: string, fs: FsLayer = nodeFs, guard?: WriteGuard): Promise<RemoveOutcome> {
  const current = await fs.readFile(target);
  if (current === undefined) return 'absent';
  if (!isOwnedContent(current)) return 'foreign-kept';
  await guard?.();
  await fs.unlink(target);
  await fs.fsyncDir(path.dirname(target));
  return 'removed';
}

/** `20250102T030405Z`: sortable, no characters that need quoting. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
