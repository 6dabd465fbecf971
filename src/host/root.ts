/**
 * HostRoot: the one module that turns host paths into files on this machine. Every host file is read,
 * listed, stat'ed and written below one root (`--host-root`, default `/`), resolved as a chroot would
 * (openat2 RESOLVE_IN_ROOT semantics, src/host/resolve.ts): an absolute link restarts at the root, `..`
 * stops there, a loop is an ELOOP error naming the path. Nothing is opened through a link by the OS:
 * files are opened O_NOFOLLOW|O_NONBLOCK at their resolved path, checked to be regular files with fstat
 * (a FIFO or device never blocks a read), and the open fd is verified through /proc/self/fd to be the
 * resolved path (a component swapped after the walk is caught). Reads are capped in bytes; gzip output
 * is capped too. Failures are values with a one-line reason, never exceptions.
 */
import { constants, realpathSync, type Stats } from 'node:fs';
import { access, mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { HostDirectory, verifyOpenedAt } from './host-dir.ts';
import { HostPathError, describeLinks, newWalkMemo, normalizeHostPath, resolveInRoot, typeOf, type Resolution, type WalkMemo } from './resolve.ts';

export { HostPathError, type Resolution } from './resolve.ts';
export { HostDirectory } from './host-dir.ts';

/** Default cap for one host file read: enough for modules.dep of a distro kernel (~1 MiB), bounded. */
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
/** Notes kept per HostRoot (links followed, read problems), so evidence can say where a path led. */
const MAX_NOTES = 10_000;
const READ_CHUNK = 64 * 1024;

/** A host file's text, or why there is none. */
export type HostRead =
  | { ok: true; text: string; hostPath: string; resolution: Resolution }
  | { ok: false; hostPath: string; /** Nothing is there (absent, or a dangling link). */ absent: boolean; reason: string };

export interface HostStat {
  type: NonNullable<Resolution['type']>;
  size: number;
  mtimeMs: number;
  resolution: Resolution;
}

/** Where `modprobe -d DIR -S RELEASE` finds the host's module tree, or why it cannot be given one. */
export type ModprobeDir = { dir: string; release: string } | { refused: string };

interface Note {
  resolved?: string;
  links?: string;
  problem?: string;
}

type Opened<T> = { ok: true; value: T; resolution: Resolution } | { ok: false; absent: boolean; reason: string };

export class HostRoot {
  /** The root as given, made absolute (shown in the report's options). */
  readonly root: string;
  /** The root with every link on its own path resolved: what /proc/self/fd shows for files below it. */
  readonly realRoot: string;
  private readonly notes = new Map<string, Note>();
  private readonly walkMemo: WalkMemo | undefined;

  /**
   * `snapshot`: for one check run. The directories and links on the way to each file are looked at once
   * and reused by later paths (a check resolves ~35 paths through the same few directories: ~420 lstat
   * calls become ~80); each file itself is still looked at, opened O_NOFOLLOW and verified through
   * /proc/self/fd. Off for anything that lives longer or writes (fix, the agent's own files).
   */
  constructor(root: string, options: { snapshot?: boolean } = {}) {
    this.walkMemo = options.snapshot ? newWalkMemo() : undefined;
    this.root = path.resolve(root);
    let real = this.root;
    try {
      real = realpathSync(this.root);
    } catch {
      // An absent root reads as an empty host; every file is then absent.
    }
    this.realRoot = real;
  }

  /** The host path as shown in evidence (`/proc/modules`), independent of where the root is. */
  display(hostPath: string): string {
    return normalizeHostPath(hostPath);
  }

  /**
   * The host path for a path given on the command line: one already below the root (`/host/etc/x` with
   * root `/host`, as such flags were given before they were resolved in the root) names `/etc/x`.
   */
  hostPathOf(given: string): string {
    const absolute = path.resolve(given);
    for (const base of new Set([this.root, this.realRoot])) {
      if (base !== '/' && (absolute === base || absolute.startsWith(`${base}/`))) return normalizeHostPath(absolute.slice(base.length));
    }
    return normalizeHostPath(given);
  }

  /** Evidence form: `/etc/os-release → /usr/lib/os-release` when the last access went through links. */
  describe(hostPath: string): string {
    const shown = this.display(hostPath);
    const note = this.notes.get(shown);
    return note?.resolved && note.resolved !== shown ? `${shown} → ${note.resolved}` : shown;
  }

  /** The one-line reason the last access to this path failed (other than being absent), if it did. */
  problem(hostPath: string): string | undefined {
    return this.notes.get(this.display(hostPath))?.problem;
  }

  /** Resolves a host path inside the root; throws HostPathError (ELOOP, ENOTDIR, ...) with a one-line message. */
  async resolve(hostPath: string, options: { followFinal?: boolean } = {}): Promise<Resolution> {
    const resolution = await resolveInRoot(this.realRoot, hostPath, { ...options, ...(this.walkMemo ? { memo: this.walkMemo } : {}) });
    if (options.followFinal !== false) this.noteResolution(resolution);
    return resolution;
  }

  /** Whether the host path itself is a symbolic link (not followed). */
  async isLink(hostPath: string): Promise<boolean> {
    try {
      return (await this.resolve(hostPath, { followFinal: false })).type === 'symlink';
    } catch {
      return false;
    }
  }

  async stat(hostPath: string): Promise<HostStat | undefined> {
    const resolution = await this.tryResolve(hostPath);
    if (!resolution?.type || !resolution.stats) return undefined;
    return { type: resolution.type, size: resolution.stats.size, mtimeMs: resolution.stats.mtimeMs, resolution };
  }

  async exists(hostPath: string): Promise<boolean> {
    return (await this.tryResolve(hostPath))?.type !== undefined;
  }

  async isDirectory(hostPath: string): Promise<boolean> {
    return (await this.tryResolve(hostPath))?.type === 'directory';
  }

  /** Entry names of a directory (sorted), or undefined when it is absent or not a directory. */
  async list(hostPath: string): Promise<string[] | undefined> {
    const resolution = await this.tryResolve(hostPath);
    if (resolution?.type !== 'directory') return undefined;
    let handle: FileHandle | undefined;
    try {
      handle = await open(resolution.realPath, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      const viaFd = await verifyOpenedAt(handle, resolution.realPath, this.realRoot);
      return (await readdir(viaFd ?? resolution.realPath)).sort();
    } catch (error) {
      this.noteProblem(resolution.hostPath, `${this.describe(resolution.hostPath)}: cannot list: ${reasonOf(error)}`);
      return undefined;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** A host file's text (at most maxBytes; a longer file is refused, not cut), or why not. */
  async read(hostPath: string, options: { maxBytes?: number; gzip?: boolean } = {}): Promise<HostRead> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const shown = this.display(hostPath);
    const opened = await this.withFile(hostPath, (handle, stats) => readUpTo(handle, stats, maxBytes));
    if (!opened.ok) return { ok: false, hostPath: shown, absent: opened.absent, reason: opened.reason };
    const where = this.describe(shown);
    if (opened.value === undefined) return this.failed(shown, `${where}: larger than the ${formatBytes(maxBytes)} read cap: not read`);
    if (!options.gzip) return { ok: true, text: opened.value.toString('utf8'), hostPath: shown, resolution: opened.resolution };
    try {
      const text = gunzipSync(opened.value, { maxOutputLength: maxBytes }).toString('utf8');
      return { ok: true, text, hostPath: shown, resolution: opened.resolution };
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      const why =
        e.code === 'ERR_BUFFER_TOO_LARGE'
          ? `decompresses to more than ${formatBytes(maxBytes)} (a gzip bomb or not a config): not read`
          : e.code === 'Z_BUF_ERROR'
            ? 'truncated gzip: not read'
            : `not valid gzip (${e.code ?? e.message}): not read`;
      return this.failed(shown, `${where}: ${why}`);
    }
  }

  /** File text, or undefined when absent or unreadable (host.problem(path) says why). Reads at most maxBytes. */
  async readText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
    const result = await this.read(hostPath, { maxBytes });
    return result.ok ? result.text : undefined;
  }

  /** Text of a gzip file such as /proc/config.gz, or undefined when absent, corrupt, truncated or over the cap. */
  async readGzipText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
    const result = await this.read(hostPath, { maxBytes, gzip: true });
    return result.ok ? result.text : undefined;
  }

  /**
   * Opens a regular host file (resolved inside the root, O_NOFOLLOW|O_NONBLOCK, type checked by fstat,
   * fd verified) and runs fn on it; closes it after. A FIFO, device, directory or socket is refused.
   */
  async withFile<T>(hostPath: string, fn: (handle: FileHandle, stats: Stats) => Promise<T>): Promise<Opened<T>> {
    const shown = this.display(hostPath);
    let resolution: Resolution;
    try {
      resolution = await this.resolve(hostPath);
    } catch (error) {
      return { ...this.failed(shown, reasonOf(error)), absent: false };
    }
    if (!resolution.type) {
      const dangling = resolution.viaLinks.length > 0 ? ` (dangling: ${describeLinks(resolution.viaLinks)}, ${resolution.resolvedHostPath} is not in the host root)` : '';
      return { ok: false, absent: true, reason: `${shown}: not found${dangling}` };
    }
    if (resolution.type !== 'file') {
      return { ...this.failed(shown, `${this.describe(shown)}: is a ${resolution.type}, not a regular file: not read`), absent: false };
    }
    let handle: FileHandle | undefined;
    try {
      handle = await open(resolution.realPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
      const stats = await handle.stat();
      if (!stats.isFile()) throw new HostPathError('ECHANGED', shown, `${this.describe(shown)}: became a ${typeOf(stats)} while being opened: not read`);
      await verifyOpenedAt(handle, resolution.realPath, this.realRoot);
      return { ok: true, value: await fn(handle, stats), resolution };
    } catch (error) {
      const reason = error instanceof HostPathError ? error.message : `${this.describe(shown)}: cannot read: ${reasonOf(error)}`;
      return { ...this.failed(shown, reason), absent: false };
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /**
   * Opens a host directory for writing into it, resolved inside the root; with `create`, missing
   * directories on the way are made (inside the root, each through its verified parent). Throws
   * HostPathError with a one-line message naming the path (and the link) when it cannot.
   */
  async openDirectory(hostPath: string, options: { create?: boolean } = {}): Promise<HostDirectory> {
    const shown = this.display(hostPath);
    for (let attempt = 0; attempt < 256; attempt++) {
      const resolution = await this.resolve(hostPath);
      if (resolution.type === 'directory') return HostDirectory.open(resolution, this.realRoot);
      if (resolution.type) {
        throw new HostPathError('ENOTDIR', shown, `${this.describe(shown)}: is a ${resolution.type}, not a directory`);
      }
      if (!options.create || !resolution.missing) {
        throw new HostPathError('EIO', shown, `${shown}: not found${resolution.viaLinks.length ? ` (via ${describeLinks(resolution.viaLinks)})` : ''}`);
      }
      const parent = await HostDirectory.open(
        { ...resolution, hostPath: resolution.missing.parentHostPath, resolvedHostPath: resolution.missing.parentHostPath, realPath: resolution.missing.parentRealPath },
        this.realRoot,
      );
      try {
        await mkdir(parent.entry(resolution.missing.name), 0o755).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
        await parent.verify();
      } finally {
        await parent.close();
      }
    }
    throw new HostPathError('ELOOP', shown, `${shown}: kept changing while its directories were being made`);
  }

  /** Whether a file could be created at hostPath: its first existing directory (inside the root) is writable. */
  async canCreate(hostPath: string): Promise<boolean> {
    let resolution: Resolution;
    try {
      resolution = await this.resolve(path.posix.dirname(this.display(hostPath)));
    } catch {
      return false;
    }
    // access(W_OK) reports EROFS for a read-only mount even as root, which is the case to catch.
    const dir = resolution.type === 'directory' ? resolution.realPath : resolution.missing?.parentRealPath;
    if (!dir || (resolution.type !== undefined && resolution.type !== 'directory')) return false;
    try {
      await access(dir, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The directory to give `modprobe -d` so that kmod, which lets the OS follow links, reads the module
   * tree this root resolves to: kmod reads `<dir>/lib/modules/<release>`, so the resolved tree must end in
   * `/lib/modules/<release>` with nothing below the dir that the OS would follow out of the root.
   * None for the root `/` (modprobe's own default is the host's tree then).
   */
  async modprobeDir(release: string | undefined): Promise<ModprobeDir | undefined> {
    if (this.realRoot === '/' || !release) return undefined;
    if (release.includes('/') || release === '..' || release === '.') return { refused: `kernel release ${JSON.stringify(release)} is not a release name` };
    const suffix = `/lib/modules/${release}`;
    let firstProblem: string | undefined;
    for (const tree of [suffix, `/usr${suffix}`]) {
      let resolution: Resolution;
      try {
        resolution = await this.resolve(tree);
      } catch (error) {
        firstProblem ??= reasonOf(error);
        continue;
      }
      if (resolution.type === 'directory') {
        if (!resolution.realPath.endsWith(suffix)) {
          return { refused: `${this.describe(tree)}: modprobe -d needs a tree ending in ${suffix}; load the modules on the node itself` };
        }
        return { dir: resolution.realPath.slice(0, -suffix.length) || '/', release };
      }
      if (resolution.viaLinks.length > 0) firstProblem ??= `${tree}: dangling (${describeLinks(resolution.viaLinks)}); modprobe would follow it outside the host root`;
    }
    if (firstProblem) return { refused: firstProblem };
    // No tree at all: kmod looks below the root and finds nothing (no link on the way to follow out).
    return { dir: this.realRoot, release };
  }

  private async tryResolve(hostPath: string): Promise<Resolution | undefined> {
    try {
      return await this.resolve(hostPath);
    } catch (error) {
      this.noteProblem(this.display(hostPath), reasonOf(error));
      return undefined;
    }
  }

  private failed(hostPath: string, reason: string): { ok: false; hostPath: string; absent: false; reason: string } {
    this.noteProblem(hostPath, reason);
    return { ok: false, hostPath, absent: false, reason };
  }

  private noteResolution(resolution: Resolution): void {
    if (resolution.viaLinks.length === 0 && !this.notes.has(resolution.hostPath)) return;
    this.setNote(resolution.hostPath, { resolved: resolution.resolvedHostPath, links: describeLinks(resolution.viaLinks) });
  }

  private noteProblem(hostPath: string, problem: string): void {
    this.setNote(hostPath, { ...this.notes.get(hostPath), problem });
  }

  private setNote(hostPath: string, note: Note): void {
    if (!this.notes.has(hostPath) && this.notes.size >= MAX_NOTES) return;
    this.notes.set(hostPath, note);
  }
}

/** The whole file when it is at most maxBytes, else undefined (procfs files say size 0: read until EOF). */
async function readUpTo(handle: FileHandle, stats: Stats, maxBytes: number): Promise<Buffer | undefined> {
  if (stats.size > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, maxBytes + 1 - total));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) return undefined;
  }
  return Buffer.concat(chunks, total);
}

function reasonOf(error: unknown): string {
  if (error instanceof HostPathError) return error.message;
  const e = error as NodeJS.ErrnoException;
  return e.code ?? (e.message ?? String(error)).split('\n')[0] ?? 'failed';
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
