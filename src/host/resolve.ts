/**
 * Resolving a host path below a root the way the kernel's openat2(RESOLVE_IN_ROOT) does, in userspace:
 * each component is looked at with lstat; a symbolic link is read and its target walked in place of it,
 * an absolute target restarting at the root (as it would on the host itself); `..` never climbs above
 * the root; at most MAX_LINK_EXPANSIONS links are followed (ELOOP, like the kernel's MAXSYMLINKS).
 * The OS never follows a link here: the result is a path with no link left on it, which callers open
 * with O_NOFOLLOW and re-verify through /proc/self/fd (a component can change after this walk).
 * Source: openat2(2), RESOLVE_IN_ROOT; path_resolution(7) (40 links).
 */
import type { Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';

/** Linux MAXSYMLINKS (fs/namei.c): more link expansions than this in one walk is ELOOP. */
export const MAX_LINK_EXPANSIONS = 40;

export type EntryType = 'file' | 'directory' | 'symlink' | 'fifo' | 'character device' | 'block device' | 'socket' | 'unknown';

/** One link followed on the way: its host path and its target as written in the link. */
export interface LinkStep {
  link: string;
  target: string;
}

export interface Resolution {
  /** The host path asked for, normalised (`/etc/os-release`). */
  hostPath: string;
  /** Where it leads inside the root, as a host path (`/usr/lib/os-release`). */
  resolvedHostPath: string;
  /** The same on this machine's filesystem (`<root>/usr/lib/os-release`), with no link left on it. */
  realPath: string;
  viaLinks: LinkStep[];
  /** Type of what is there; undefined when nothing is (absent, or a dangling link). */
  type?: EntryType;
  stats?: Stats;
  /** When absent: the deepest existing directory reached and the first name missing in it. */
  missing?: { parentHostPath: string; parentRealPath: string; name: string };
}

export type HostPathErrorCode = 'ELOOP' | 'ENOTDIR' | 'EACCES' | 'EIO' | 'ECHANGED' | 'EINVAL';

/** A host path that cannot be resolved inside the root; the message is one line naming the path (and the link). */
export class HostPathError extends Error {
  readonly code: HostPathErrorCode;
  readonly hostPath: string;
  constructor(code: HostPathErrorCode, hostPath: string, message: string) {
    super(message);
    this.name = 'HostPathError';
    this.code = code;
    this.hostPath = hostPath;
  }
}

/** `/etc//x/./y` → `/etc/x/y` (as shown in evidence); `..` above `/` stays at `/`. */
export function normalizeHostPath(hostPath: string): string {
  return path.posix.normalize('/' + hostPath).replace(/(.)\/$/, '$1');
}

/** `a → b` steps as evidence text. */
export function describeLinks(steps: readonly LinkStep[]): string {
  return steps.map((s) => `${s.link} → ${s.target}`).join(', ');
}

/**
 * What one walk may reuse from earlier walks: the lstat and readlink answers for components *above* the
 * last one, keyed by their real path. Only for a short-lived reader (one check run): the last component is
 * always looked at afresh, and the file opened at the end is verified through /proc/self/fd anyway.
 */
export interface WalkMemo {
  lstat: Map<string, Promise<Stats | NodeJS.ErrnoException>>;
  readlink: Map<string, Promise<string | NodeJS.ErrnoException>>;
}

export function newWalkMemo(): WalkMemo {
  return { lstat: new Map(), readlink: new Map() };
}

/** Resolves hostPath below realRoot (which must itself be a real path: no link on it). */
export async function resolveInRoot(
  realRoot: string,
  hostPath: string,
  options: { followFinal?: boolean; memo?: WalkMemo } = {},
): Promise<Resolution> {
  const memo = options.memo;
  const followFinal = options.followFinal ?? true;
  const asked = normalizeHostPath(hostPath);
  if (hostPath.includes('\0')) throw new HostPathError('EINVAL', asked, `${JSON.stringify(asked)}: a host path cannot contain NUL`);
  // The walk takes the components as given: `..` after a link climbs from the link's target, as in the kernel.
  const pending = hostPath.split('/').filter((part) => part !== '' && part !== '.');
  let stack: string[] = [];
  const viaLinks: LinkStep[] = [];
  const hostOf = (parts: readonly string[]) => '/' + parts.join('/');
  const realOf = (parts: readonly string[]) => path.join(realRoot, ...parts);

  if (pending.length === 0) {
    const stats = await lstatOrThrow(realRoot, asked, asked);
    return { hostPath: asked, resolvedHostPath: '/', realPath: realRoot, viaLinks, type: stats ? typeOf(stats) : undefined, stats };
  }
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      stack.pop();
      continue;
    }
    const here = [...stack, name];
    const stats = await lstatOrThrow(realOf(here), asked, hostOf(here), pending.length > 0 ? memo : undefined);
    if (!stats) {
      return {
        hostPath: asked,
        resolvedHostPath: lexical([...here], pending),
        realPath: realOf(here),
        viaLinks,
        missing: { parentHostPath: hostOf(stack), parentRealPath: realOf(stack), name },
      };
    }
    if (stats.isSymbolicLink() && (pending.length > 0 || followFinal)) {
      const target = await readlinkOrThrow(realOf(here), asked, hostOf(here), pending.length > 0 ? memo : undefined);
      viaLinks.push({ link: hostOf(here), target });
      if (viaLinks.length > MAX_LINK_EXPANSIONS) {
        throw new HostPathError(
          'ELOOP',
          asked,
          `${asked}: too many levels of symbolic links (ELOOP: more than ${MAX_LINK_EXPANSIONS}; at ${hostOf(here)} → ${target})`,
        );
      }
      if (target.startsWith('/')) stack = [];
      pending.unshift(...target.split('/').filter((part) => part !== ''));
      continue;
    }
    if (pending.length > 0 && !stats.isDirectory()) {
      const via = viaLinks.length > 0 ? ` (via ${describeLinks(viaLinks)})` : '';
      throw new HostPathError('ENOTDIR', asked, `${asked}: ${hostOf(here)} is a ${typeOf(stats)}, not a directory${via}`);
    }
    stack = here;
    if (pending.length === 0) {
      return { hostPath: asked, resolvedHostPath: hostOf(stack), realPath: realOf(stack), viaLinks, type: typeOf(stats), stats };
    }
  }
  // Only reached when the last components were `.` or `..`.
  const stats = await lstatOrThrow(realOf(stack), asked, hostOf(stack));
  return { hostPath: asked, resolvedHostPath: hostOf(stack), realPath: realOf(stack), viaLinks, type: stats ? typeOf(stats) : undefined, stats };
}

/** The type name used in evidence. */
export function typeOf(stats: Stats): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSocket()) return 'socket';
  return 'unknown';
}

/** The answer for `key` from the memo, or a fresh one (kept there when there is a memo); errors are answers too. */
function remembered<T>(memo: Map<string, Promise<T | NodeJS.ErrnoException>> | undefined, key: string, ask: () => Promise<T>): Promise<T | NodeJS.ErrnoException> {
  let answer = memo?.get(key);
  if (answer === undefined) {
    answer = ask().catch((error: NodeJS.ErrnoException) => error);
    memo?.set(key, answer);
  }
  return answer;
}

async function lstatOrThrow(real: string, asked: string, shown: string, memo?: WalkMemo): Promise<Stats | undefined> {
  const result = await remembered(memo?.lstat, real, () => lstat(real));
  if (!(result instanceof Error)) return result;
  const code = result.code;
  if (code === 'ENOENT') return undefined;
  if (code === 'ENOTDIR') throw new HostPathError('ENOTDIR', asked, `${asked}: a component above ${shown} is not a directory`);
  if (code === 'EACCES' || code === 'EPERM') throw new HostPathError('EACCES', asked, `${asked}: permission denied at ${shown}`);
  throw new HostPathError('EIO', asked, `${asked}: cannot look at ${shown}: ${code ?? result.message}`);
}

async function readlinkOrThrow(real: string, asked: string, shown: string, memo?: WalkMemo): Promise<string> {
  const result = await remembered(memo?.readlink, real, () => readlink(real));
  if (typeof result === 'string') return result;
  throw new HostPathError('EIO', asked, `${asked}: cannot read the link ${shown}: ${result.code ?? result.message}`);
}

// Path of something absent: the rest of the walk applied lexically (`..` still stops at the root).
function lexical(done: string[], rest: readonly string[]): string {
  const parts = [...done];
  for (const part of rest) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}
