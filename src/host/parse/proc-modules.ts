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
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [name, size, refcount, deps, state] = fields as [string, string, string, string, string];
    if (!/^[\w-]+$/.test(name) || !/^\d+$/.test(size)) continue;
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
