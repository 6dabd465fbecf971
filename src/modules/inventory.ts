/**
 * Reads what the host says about kernel modules: /proc/modules, /sys/module, the running release's
 * module tree (modules.builtin, modules.dep, modules.alias, or the .ko files themselves), and the kernel
 * config. Absent files are values (empty sets, undefined), never exceptions.
 */
import type { HostRoot } from '../host/root.ts';
import { parseKconfig } from '../host/parse/kconfig.ts';
import { foreignProcModulesLines, loadedModuleNames } from '../host/parse/proc-modules.ts';
import {
  foreignLines,
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
  const problems: string[] = [];
  const links = new Set<string>();
  const readText = async (hostPath: string): Promise<string | undefined> => {
    const read = await host.read(hostPath);
    if (read.ok) {
      if (host.describe(hostPath) !== host.display(hostPath)) links.add(host.describe(hostPath));
      return read.text;
    }
    if (!read.absent) problems.push(read.reason);
    return undefined;
  };
  const procModules = await readText('/proc/modules');
  // The kernel writes only records: lines that are not make the file untrustworthy as a whole.
  const procForeign = procModules === undefined ? 0 : foreignProcModulesLines(procModules);
  if (procForeign > 0) problems.push(`/proc/modules: ${procForeign} line${procForeign === 1 ? ' is' : 's are'} not module records: only its well-formed records are used`);
  const inventory: ModuleInventory = {
    loaded: procModules === undefined ? new Set() : loadedModuleNames(procModules),
    procModulesReadable: procModules !== undefined && procForeign === 0,
    sysModule: await readSysModule(host),
    otherTrees: [],
    builtin: new Set(),
    builtinReadable: false,
    files: new Map(),
    aliases: new Map(),
  };

  const releases = new Set<string>();
  for (const parent of MODULE_TREE_PARENTS) {
    const entries = await host.list(parent);
    if (!entries && host.problem(parent)) problems.push(host.problem(parent)!);
    for (const entry of entries ?? []) {
      // Only a directory is a tree: a dangling or looping link named like the release proves nothing.
      if (!(await host.isDirectory(`${parent}/${entry}`))) {
        if (entry === kernel.release && host.problem(`${parent}/${entry}`)) problems.push(host.problem(`${parent}/${entry}`)!);
        continue;
      }
      releases.add(entry);
      if (kernel.release && entry === kernel.release && !inventory.treeDir) inventory.treeDir = `${parent}/${entry}`;
    }
  }
  inventory.otherTrees = [...releases].filter((r) => r !== kernel.release).sort();
  const finish = (): ModuleInventory => ({
    ...inventory,
    ...(problems.length > 0 ? { problems } : {}),
    ...(links.size > 0 ? { links: [...links] } : {}),
  });
  if (!inventory.treeDir) return finish();

  const tree = inventory.treeDir;
  if (host.describe(tree) !== tree) links.add(host.describe(tree));
  const builtin = await readText(`${tree}/modules.builtin`);
  if (builtin !== undefined) {
    inventory.builtin = parseModulesBuiltin(builtin);
    const foreign = foreignLines(builtin, 'builtin');
    inventory.builtinReadable = foreign === 0;
    if (foreign > 0) problems.push(`${tree}/modules.builtin: ${foreign} line${foreign === 1 ? ' is' : 's are'} not module paths: not a complete list`);
  }
  const depPath = `${tree}/modules.dep`;
  const dep = await readText(depPath);
  if (dep !== undefined) {
    inventory.files = parseModulesDep(dep);
    inventory.filesSource = depPath;
    const foreign = foreignLines(dep, 'dep');
    if (foreign > 0) inventory.filesIncomplete = `${depPath}: ${foreign} line${foreign === 1 ? ' is' : 's are'} not modules.dep entries`;
    // depmod always lists the tree's modules: an empty list is a cut or failed depmod, not an empty tree.
    else if (inventory.files.size === 0) inventory.filesIncomplete = `${depPath}: lists no module (empty or cut)`;
  } else {
    const depUnreadable = host.problem(depPath);
    const scan = await scanModuleFiles(host, tree);
    inventory.files = scan.files;
    inventory.filesSource = `${tree} (scanned; no modules.dep)`;
    // Only a complete listing proves a module absent.
    if (depUnreadable) inventory.filesIncomplete = depUnreadable;
    else if (scan.capped) inventory.filesIncomplete = `${tree}: more than ${MAX_SCANNED_ENTRIES} entries, scan stopped`;
  }
  const alias = await readText(`${tree}/modules.alias`);
  if (alias !== undefined) inventory.aliases = parseModulesAlias(alias);
  return finish();
}

async function readSysModule(host: HostRoot): Promise<Map<string, 'loaded' | 'builtin'>> {
  const entries = (await host.list('/sys/module')) ?? [];
  const states = await Promise.all(
    entries.map(async (name) => [name, (await host.exists(`/sys/module/${name}/initstate`)) ? 'loaded' : 'builtin'] as const),
  );
  return new Map(states);
}

async function scanModuleFiles(host: HostRoot, tree: string): Promise<{ files: Map<string, string>; capped: boolean }> {
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
  return { files, capped: pending.length > 0 };
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
  const problems: string[] = [];
  for (const candidate of candidates) {
    const read = await host.read(candidate.path, { gzip: candidate.gzip });
    if (!read.ok) {
      if (!read.absent) problems.push(read.reason);
      continue;
    }
    const values = parseKconfig(read.text);
    if (values.size > 0) return { values, source: host.describe(candidate.path), ...(problems.length > 0 ? { problems } : {}) };
  }
  return { values: new Map(), ...(problems.length > 0 ? { problems } : {}) };
}
