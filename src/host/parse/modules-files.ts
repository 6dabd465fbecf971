/**
 * Parsers for the kmod index sources in lib/modules/<release>/: modules.builtin (one path per line,
 * `kernel/net/netfilter/xt_owner.ko`), modules.dep (`kernel/net/netfilter/xt_owner.ko.zst: deps…`) and
 * modules.alias (`alias ipt_REDIRECT xt_REDIRECT`). Module names are normalised as the kernel does
 * (`-` → `_`), with the .ko / .ko.xz / .ko.zst / .ko.gz suffix removed.
 */

const MODULE_SUFFIX = /\.ko(\.(xz|zst|gz))?$/;

/** `kernel/net/netfilter/xt_REDIRECT.ko.zst` → `xt_REDIRECT`; undefined when not a module path. */
export function moduleNameFromPath(modulePath: string): string | undefined {
  const base = modulePath.trim().split('/').pop() ?? '';
  if (!MODULE_SUFFIX.test(base)) return undefined;
  return normalizeModuleName(base.replace(MODULE_SUFFIX, ''));
}

/** Kernel module names treat `-` and `_` alike; the kernel reports `_`. */
export function normalizeModuleName(name: string): string {
  return name.replace(/-/g, '_');
}

/** modules.builtin → set of built-in module names. */
export function parseModulesBuiltin(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = moduleNameFromPath(line);
    if (name) names.add(name);
  }
  return names;
}

/** modules.dep → module name → relative path of its file. */
export function parseModulesDep(text: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const modulePath = line.slice(0, colon).trim();
    const name = moduleNameFromPath(modulePath);
    if (name && !files.has(name)) files.set(name, modulePath);
  }
  return files;
}

/** modules.alias → alias → module names. Wildcard aliases (`pci:v*…`) are skipped. */
export function parseModulesAlias(text: string): Map<string, string[]> {
  const aliases = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 3 || fields[0] !== 'alias') continue;
    const alias = fields[1]!;
    if (/[*?[]/.test(alias)) continue;
    const key = normalizeModuleName(alias);
    const targets = aliases.get(key) ?? [];
    targets.push(normalizeModuleName(fields[2]!));
    aliases.set(key, targets);
  }
  return aliases;
}

/** Non-empty lines that are not entries of a modules.dep (`path.ko: deps`) or modules.builtin (`path.ko`) file. */
export function foreignLines(text: string, kind: 'dep' | 'builtin'): number {
  let foreign = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const path = kind === 'dep' ? line.slice(0, Math.max(0, line.indexOf(':'))) : line;
    if (moduleNameFromPath(path) === undefined) foreign += 1;
  }
  return foreign;
}
