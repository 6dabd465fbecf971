/**
 * The "after" state of a host-root copy once modules are in the kernel: what `modprobe` (fix --now) or
 * systemd-modules-load at the next boot (fix --persist) leaves in /proc/modules and /sys/module. The
 * fixture .ko files are placeholders, so nothing can be inserted for real; this writes what the kernel
 * would then show, in the fixtures' format (test/fixtures/hosts/README.md).
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Marks `modules` loaded below `root` (idempotent). */
export async function loadIntoFixture(root: string, modules: readonly string[]): Promise<void> {
  const procModules = path.join(root, 'proc/modules');
  const loaded = new Set((await readFile(procModules, 'utf8')).split('\n').map((l) => l.split(' ')[0]));
  for (const name of modules) {
    if (loaded.has(name)) continue;
    await appendFile(procModules, `${name} 16384 0 - Live 0x0000000000000000\n`);
    await mkdir(path.join(root, 'sys/module', name), { recursive: true });
    await writeFile(path.join(root, 'sys/module', name, 'initstate'), 'live\n');
  }
}

/** The module names a modules-load.d file lists (comments and blank lines skipped). */
export async function modulesLoadList(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'));
}
