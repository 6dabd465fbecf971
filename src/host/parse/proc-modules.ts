/**
 * Parser for /proc/modules: `name size refcount deps state address [taint]`, e.g.
 * `xt_owner 16384 1 - Live 0x0000000000000000`. Only `Live` (and `Loading`) modules count as loaded.
 */
export interface ProcModule {
  name: string;
  size: number;
  refcount: number;
  usedBy: string[];
  state: string;
}

export function parseProcModules(text: string): ProcModule[] {
  const modules: ProcModule[] = [];
  for (const line of text.split('\n')) {
    const fields = recordFields(line);
    if (!fields) continue;
    const [name, size, refcount, deps, state] = fields;
    modules.push({
      name: name.replace(/-/g, '_'),
      size: Number(size),
      refcount: /^\d+$/.test(refcount) ? Number(refcount) : 0,
      usedBy: deps === '-' ? [] : deps.split(',').filter(Boolean),
      state,
    });
  }
  return modules;
}

/** Names of the modules that are live (or loading) in /proc/modules text. */
export function loadedModuleNames(text: string): Set<string> {
  return new Set(parseProcModules(text).filter((m) => m.state !== 'Unloading').map((m) => m.name));
}

/** Non-empty lines of /proc/modules text that are not module records (the kernel writes none). */
export function foreignProcModulesLines(text: string): number {
  let foreign = 0;
  for (const line of text.split('\n')) if (line.trim() !== '' && !recordFields(line)) foreign += 1;
  return foreign;
}

function recordFields(line: string): [string, string, string, string, string] | undefined {
  const fields = line.trim().split(/\s+/);
  if (fields.length < 5) return undefined;
  const [name, size] = fields as [string, string];
  if (!/^[\w-]+$/.test(name) || !/^\d+$/.test(size)) return undefined;
  return fields as [string, string, string, string, string];
}
