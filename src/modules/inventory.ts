/**
 * Reads what the host says about kernel modules: /proc/modules, /sys/module, the running release's
 * module tree (modules.builtin, modules.dep, modules.alias, or the .ko files themselves), and the kernel
 * config. Absent files are values (empty sets, undefined), never exceptions.
 */
import type { HostRoot } from '../host/root.ts';
import { parseKconfig } from '../host/parse/kconfig.ts';
import { loadedModuleNames } from '../host/parse/proc-modules.ts';
import {
  moduleNameFromPath,
  parseModulesAlias,
  parseModulesBuiltin,
  parseModulesDep,
} from '../host/parse/modules-files.ts';
import type { KconfigFacts, KernelFacts, ModuleInventory } from './types.ts';

const MODULE_TREE_PARENTS = ['/lib/modules', '/usr/lib/modules'];
/** Upper bound on directory entries visited when a tree has no modules.dep. */
const MAX_SCANNED_ENTRIES = 50_000;

export async function readModuleInventory(host: HostRoot, kernel: KernelFacts): Promise<ModuleInventory> {
  const procModules = await host.readText('/proc/modules');
  const inventory: ModuleInventory = {
    loaded: procModules === undefined ? new Set() : loadedModuleNames(procModules),
    procModulesReadable: procModules !== undefined,
    sysModule: await readSysModule(host),
    otherTrees: [],
    builtin: new Set(),
    builtinReadable: false,
    files: new Map(),
    aliases: new Map(),
  };

  const releases = new Set<string>();
  for (const parent of MODULE_TREE_PARENTS) {
    for (const entry of (await host.list(parent)) ?? []) {
      if (await host.isDirectory(`${parent}/${entry}`)) releases.add(entry);
      if (kernel.release && entry === kernel.release && !inventory.treeDir) inventory.treeDir = `${parent}/${entry}`;
    }
  }
  inventory.otherTrees = [...releases].filter((r) => r !== kernel.release).sort();
  if (!inventory.treeDir) return inventory;

  const tree = inventory.treeDir;
  const builtin = await host.readText(`${tree}/modules.builtin`);
  if (builtin !== undefined) {
    inventory.builtin = parseModulesBuiltin(builtin);
    inventory.builtinReadable = true;
  }
  const dep = await host.readText(`${tree}/modules.dep`);
  if (dep !== undefined) {
    inventory.files = parseModulesDep(dep);
    inventory.filesSource = `${tree}/modules.dep`;
  } else {
    inventory.files = await scanModuleFiles(host, tree);
    inventory.filesSource = `${tree} (scanned; no modules.dep)`;
  }
  const alias = await host.readText(`${tree}/modules.alias`);
  if (alias !== undefined) inventory.aliases = parseModulesAlias(alias);
  return inventory;
}

async function readSysModule(host: HostRoot): Promise<Map<string, 'loaded' | 'builtin'>> {
  const entries = (await host.list('/sys/module')) ?? [];
  const states = await Promise.all(
    entries.map(async (name) => [name, (await host.exists(`/sys/module/${name}/initstate`)) ? 'loaded' : 'builtin'] as const),
  );
  return new Map(states);
}

async function scanModuleFiles(host: HostRoot, tree: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const pending = ['kernel', 'extra', 'updates'];
  let visited = 0;
  while (pending.length > 0 && visited < MAX_SCANNED_ENTRIES) {
    const relative = pending.pop()!;
    for (const entry of (await host.list(`${tree}/${relative}`)) ?? []) {
      visited += 1;
      const child = `${relative}/${entry}`;
      const name = moduleNameFromPath(entry);
      if (name) {
        if (!files.has(name)) files.set(name, child);
      } else if (await host.isDirectory(`${tree}/${child}`)) {
        pending.push(child);
      }
    }
  }
  return files;
}

/** Kernel config from /proc/config.gz, /boot/config-<release>, or the module tree's `config`. */
export async function readKconfig(host: HostRoot, kernel: KernelFacts): Promise<KconfigFacts> {
  const candidates: { path: string; gzip: boolean }[] = [{ path: '/proc/config.gz', gzip: true }];
  if (kernel.release) {
    candidates.push(
      { path: `/boot/config-${kernel.release}`, gzip: false },
      { path: `/lib/modules/${kernel.release}/config`, gzip: false },
      { path: `/usr/lib/modules/${kernel.release}/config`, gzip: false },
    );
  }
  for (const candidate of candidates) {
    const text = candidate.gzip ? await host.readGzipText(candidate.path) : await host.readText(candidate.path);
    if (text === undefined) continue;
    const values = parseKconfig(text);
    if (values.size > 0) return { values, source: candidate.path };
  }
  return { values: new Map() };
}
