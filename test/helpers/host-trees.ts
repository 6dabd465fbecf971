/** Throwaway host trees for the host-boundary tests: temp roots, copies of fixture hosts, links of every kind. */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

const made: string[] = [];

/** A fresh directory holding `root/` (the host root) and `outside/` (beside it, never to be read or written). */
export async function sandbox(prefix = 'mp-hostroot-'): Promise<{ base: string; root: string; outside: string }> {
  const base = await mkdtemp(path.join(tmpdir(), prefix));
  made.push(base);
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  return { base, root, outside };
}

/** Removes every sandbox made in this test file (register with test.after.always). */
export async function removeSandboxes(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes a file below a directory, making its parents. */
export async function put(dir: string, relative: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

/** Makes a symbolic link at `dir/relative` (parents made) pointing to `target`, exactly as written. */
export async function link(dir: string, relative: string, target: string): Promise<void> {
  const at = path.join(dir, relative);
  await mkdir(path.dirname(at), { recursive: true });
  await rm(at, { recursive: true, force: true });
  await symlink(target, at);
}

/** coreutils' mkfifo, also when PATH is stripped (as in the "only Node" run of the test suite). */
const MKFIFO = ['/usr/bin/mkfifo', '/bin/mkfifo'].find((p) => existsSync(p)) ?? 'mkfifo';

/** A FIFO at `dir/relative` (mkfifo(1): node has no mkfifo). */
export async function fifo(dir: string, relative: string): Promise<void> {
  const at = path.join(dir, relative);
  await mkdir(path.dirname(at), { recursive: true });
  await rm(at, { recursive: true, force: true });
  await execa(MKFIFO, [at]);
}

/** A character device (the same as /dev/zero, 1:5) at `dir/relative`, or false when mknod is not allowed here. */
export async function charDevice(dir: string, relative: string): Promise<boolean> {
  const at = path.join(dir, relative);
  await mkdir(path.dirname(at), { recursive: true });
  await rm(at, { recursive: true, force: true });
  const made = await execa('mknod', [at, 'c', '1', '5'], { reject: false });
  return made.exitCode === 0;
}

/** Copies a directory tree (fixture host) into dir. */
export async function copyTree(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true, verbatimSymlinks: true });
}

export type LinkKind = 'absolute' | 'relative' | 'climbing';

/**
 * The link text that reaches host path `to` from a link placed at host path `at`: absolute (`/moved/x`, which
 * only works resolved in the root), relative (`../../moved/x`), or climbing (more `..` than the depth, which
 * stops at the root).
 */
export function linkTarget(kind: LinkKind, at: string, to: string): string {
  if (kind === 'absolute') return to;
  const depth = at.split('/').filter(Boolean).length - 1;
  const up = kind === 'relative' ? depth : depth + 5;
  return `${'../'.repeat(up)}${to.replace(/^\//, '')}` || '.';
}
