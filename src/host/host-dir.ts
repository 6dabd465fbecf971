/**
 * A host directory opened for writing: every name in it is reached through the open directory's fd
 * (`/proc/self/fd/<fd>/<name>`, which the kernel walks from the opened directory itself, like openat),
 * so a link swapped into the path after it was resolved cannot redirect a write. verify() checks that
 * the directory is still where the resolution put it (inside the root); writers call it before they
 * commit (rename/unlink) and after.
 */
import { constants } from 'node:fs';
import { open, readlink, lstat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { HostPathError, describeLinks, type Resolution } from './resolve.ts';

export class HostDirectory {
  readonly resolution: Resolution;
  private readonly handle: FileHandle;
  private readonly realRoot: string;
  private readonly viaFd: string | undefined;

  private constructor(resolution: Resolution, handle: FileHandle, realRoot: string, viaFd: string | undefined) {
    this.resolution = resolution;
    this.handle = handle;
    this.realRoot = realRoot;
    this.viaFd = viaFd;
  }

  /** Opens a resolved directory (O_DIRECTORY|O_NOFOLLOW) and verifies the fd is that directory. */
  static async open(resolution: Resolution, realRoot: string): Promise<HostDirectory> {
    let handle: FileHandle;
    try {
      handle = await open(resolution.realPath, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'failed';
      const why = code === 'ELOOP' || code === 'ENOTDIR' ? 'changed into a link or a file after it was resolved' : code;
      throw new HostPathError(code === 'EACCES' ? 'EACCES' : 'ECHANGED', resolution.hostPath, `${shownOf(resolution)}: cannot open the directory: ${why}; nothing written`);
    }
    try {
      const viaFd = await verifyOpenedAt(handle, resolution.realPath, realRoot, shownOf(resolution));
      return new HostDirectory(resolution, handle, realRoot, viaFd);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** The host path asked for (`/etc/modules-load.d`). */
  get hostPath(): string {
    return this.resolution.hostPath;
  }

  /** A path naming `name` inside this directory, for fs calls (walked from the open fd). */
  entry(name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      throw new HostPathError('EINVAL', this.hostPath, `${JSON.stringify(name)} is not a file name`);
    }
    return path.join(this.viaFd ?? this.resolution.realPath, name);
  }

  /** `/etc/modules-load.d/x.conf (→ /usr/lib/modules-load.d/x.conf)` for messages. */
  shown(name: string): string {
    const asked = path.posix.join(this.resolution.hostPath, name);
    const resolved = path.posix.join(this.resolution.resolvedHostPath, name);
    return asked === resolved ? asked : `${asked} (→ ${resolved} inside the host root)`;
  }

  /** Throws HostPathError when the open directory is no longer the resolved one (moved, replaced, outside the root). */
  async verify(): Promise<void> {
    await verifyOpenedAt(this.handle, this.resolution.realPath, this.realRoot, shownOf(this.resolution));
    // The path itself must still lead to this directory: a component replaced by a link would not show on the fd.
    const now = await lstat(this.resolution.realPath).catch(() => undefined);
    const mine = await this.handle.stat();
    if (!now || now.isSymbolicLink() || now.dev !== mine.dev || now.ino !== mine.ino) {
      throw changed(shownOf(this.resolution), `${this.resolution.resolvedHostPath} is no longer the directory that was opened`);
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/**
 * Checks that an open fd is the file at expectedRealPath (and inside the root). Returns the fd's
 * /proc/self/fd path when /proc is there (callers may address the file through it), else undefined
 * after comparing device and inode instead.
 */
export async function verifyOpenedAt(handle: FileHandle, expectedRealPath: string, realRoot: string, shown = expectedRealPath): Promise<string | undefined> {
  const viaFd = `/proc/self/fd/${handle.fd}`;
  const actual = await readlink(viaFd).catch(() => undefined);
  if (actual !== undefined) {
    if (actual === expectedRealPath) return viaFd;
    const inside = actual === realRoot || actual.startsWith(realRoot.endsWith('/') ? realRoot : `${realRoot}/`);
    throw changed(shown, inside ? `it is now ${actual}` : `it now leads outside the host root, to ${actual}`);
  }
  const [opened, there] = await Promise.all([handle.stat(), lstat(expectedRealPath).catch(() => undefined)]);
  if (!there || opened.dev !== there.dev || opened.ino !== there.ino) throw changed(shown, 'it is no longer the file that was opened');
  return undefined;
}

function changed(shown: string, what: string): HostPathError {
  return new HostPathError('ECHANGED', shown, `${shown}: changed after it was resolved (${what}): refused, nothing written or read through it`);
}

function shownOf(resolution: Resolution): string {
  const links = resolution.viaLinks.length > 0 ? ` (via ${describeLinks(resolution.viaLinks)})` : '';
  return resolution.hostPath === resolution.resolvedHostPath ? resolution.hostPath : `${resolution.hostPath} → ${resolution.resolvedHostPath}${links}`;
}
