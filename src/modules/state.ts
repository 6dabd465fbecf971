/**
 * Decides each required module's state from the facts:
 *   loaded   — in /proc/modules or /sys/module/<name>/initstate;
 *   builtin  — in modules.builtin, /sys/module without initstate, or its config symbol is `=y`;
 *   loadable — the running release's tree has its file (modules.dep or the .ko* itself);
 *   missing  — proven absent: config `is not set`, `=m` without a file in the running tree, a complete
 *              tree without it, CONFIG_MODULES off, or no tree for the running release while other
 *              releases have one (kernel upgraded without a reboot);
 *   unknown  — nothing visible decides (no tree, no config: e.g. /lib/modules not mounted).
 * A name absent from /proc/modules is never by itself "missing" (the classic `lsmod | grep` false alarm).
 */
import type { ModuleReport, ModuleState } from '../core/report.ts';
import { normalizeModuleName } from '../host/parse/modules-files.ts';
import type { KconfigFacts, KernelFacts, KernelVersion, ModuleInventory } from './types.ts';

/** Kernel knowledge the decision needs (checks/kernel-data supplies it). */
export interface ModuleKnowledge {
  kconfigSymbolsFor(module: string): string[];
  resolveModule(
    name: string,
    kernel: KernelVersion | undefined,
    kernelRelease?: string,
  ): { name: string; providedBy?: string; note?: string };
}

export interface ModuleFacts {
  kernel: KernelFacts;
  kconfig: KconfigFacts;
  inventory: ModuleInventory;
}

interface Decision {
  state: ModuleState;
  source: string;
}

export function decideModuleState(
  requested: string,
  facts: ModuleFacts,
  knowledge: ModuleKnowledge,
  requiredFor: string[] = [],
): ModuleReport {
  const resolved = knowledge.resolveModule(requested, facts.kernel.parsed, facts.kernel.release);
  const merged = resolved.providedBy !== undefined && resolved.providedBy !== requested;
  // What the host shows under the requested name wins over version rules: distribution kernels
  // backport renames and merges (RHEL 8's 4.18), so a module present by name is present. For a
  // merged module, `=y` of its (then boolean) symbol only says the feature is compiled into the carrier.
  const direct = decideOne(requested, facts, knowledge, { configBuiltin: !merged });
  if (direct.state === 'loaded' || direct.state === 'builtin' || direct.state === 'loadable' || !merged) {
    return { name: requested, ...direct, requiredFor };
  }
  const carrier = decideOne(resolved.providedBy!, facts, knowledge, { configBuiltin: true });
  const featureOff = knowledge
    .kconfigSymbolsFor(requested)
    .some((symbol) => facts.kconfig.values.get(symbol) === 'n');
  const decision = featureOff ? direct : carrier;
  const note = resolved.note ? ` (${resolved.note})` : '';
  return {
    name: requested,
    state: decision.state,
    source: `${decision.source}; provided by ${resolved.providedBy}${note}`,
    requiredFor,
    providedBy: resolved.providedBy,
  };
}

function decideOne(name: string, facts: ModuleFacts, knowledge: ModuleKnowledge, options: { configBuiltin: boolean }): Decision {
  const { inventory, kconfig, kernel } = facts;
  const candidates = uniqueNames([name, ...aliasTargets(name, inventory)]);

  for (const candidate of candidates) {
    if (inventory.loaded.has(candidate)) return { state: 'loaded', source: `/proc/modules: ${candidate}` };
  }
  for (const candidate of candidates) {
    const sys = inventory.sysModule.get(candidate);
    if (sys === 'loaded') return { state: 'loaded', source: `/sys/module/${candidate}/initstate` };
  }
  for (const candidate of candidates) {
    if (inventory.builtin.has(candidate)) return { state: 'builtin', source: `${inventory.treeDir}/modules.builtin` };
  }
  const symbols = knowledge.kconfigSymbolsFor(name);
  const configValue = symbols
    .map((symbol) => ({ symbol, value: configSymbolValue(symbol, kconfig) }))
    .find((entry) => entry.value !== undefined);
  if (configValue?.value === 'y' && options.configBuiltin) {
    return { state: 'builtin', source: `${kconfig.source}: ${configValue.symbol}=y` };
  }
  for (const candidate of candidates) {
    if (inventory.sysModule.get(candidate) === 'builtin') {
      return { state: 'builtin', source: `/sys/module/${candidate} (no initstate: built in)` };
    }
  }
  for (const candidate of candidates) {
    const file = inventory.files.get(candidate);
    if (file) return { state: 'loadable', source: `${inventory.treeDir}/${file}` };
  }
  if (configValue?.value === 'n') {
    return { state: 'missing', source: `config: ${kconfig.source}: # ${configValue.symbol} is not set` };
  }
  if (kconfig.values.get('CONFIG_MODULES') === 'n') {
    return { state: 'missing', source: `config: ${kconfig.source}: CONFIG_MODULES is off and ${symbols[0] ?? name} is not =y` };
  }
  // Only a known running release can be missing its tree; an unreadable release proves nothing.
  if (!inventory.treeDir && inventory.otherTrees.length > 0 && kernel.release) {
    return {
      state: 'missing',
      source: `no module tree for the running release ${kernel.release ?? '?'} (only ${inventory.otherTrees.join(', ')}): kernel upgraded without a reboot`,
    };
  }
  // A tree proves a module absent only when what is loaded could be seen (a loaded module needs no file).
  const loadedVisible = inventory.procModulesReadable || inventory.sysModule.size > 0;
  if (inventory.treeDir && configValue?.value === 'm' && !inventory.filesIncomplete && loadedVisible) {
    return { state: 'missing', source: `${kconfig.source}: ${configValue.symbol}=m but no ${name} file in ${inventory.treeDir}` };
  }
  if (inventory.treeDir && inventory.filesSource && inventory.builtinReadable && !inventory.filesIncomplete && loadedVisible) {
    return { state: 'missing', source: `not in ${inventory.treeDir}/modules.builtin nor ${inventory.filesSource}` };
  }
  return { state: 'unknown', source: unknownReason(facts) };
}

/**
 * A symbol's value; a `*_LEGACY` symbol that the config omits while naming the 6.17+ gate
 * CONFIG_NETFILTER_XTABLES_LEGACY is off (Kconfig omits symbols whose dependencies are unmet).
 */
function configSymbolValue(symbol: string, kconfig: KconfigFacts): string | undefined {
  const value = kconfig.values.get(symbol);
  if (value !== undefined) return value;
  if (symbol.endsWith('_LEGACY') && kconfig.values.has('CONFIG_NETFILTER_XTABLES_LEGACY')) return 'n';
  return undefined;
}

function unknownReason({ inventory, kconfig, kernel }: ModuleFacts): string {
  const parts: string[] = [];
  if (!kernel.release) parts.push('kernel release unreadable');
  if (!inventory.treeDir) parts.push(`no module tree for ${kernel.release ?? 'the running release'} under /lib/modules or /usr/lib/modules`);
  else if (!inventory.builtinReadable) parts.push(`${inventory.treeDir}/modules.builtin unreadable`);
  if (inventory.filesIncomplete) parts.push(`module list incomplete: ${inventory.filesIncomplete}`);
  if (inventory.treeDir && !inventory.procModulesReadable && inventory.sysModule.size === 0) parts.push('neither /proc/modules nor /sys/module readable: what is loaded cannot be seen');
  parts.push(kconfig.source ? `not named in ${kconfig.source}` : 'no kernel config found');
  // A file that is there but could not be read is named, with why (the first few).
  parts.push(...[...(inventory.problems ?? []), ...(kconfig.problems ?? [])].filter((p) => p !== inventory.filesIncomplete).slice(0, 3));
  return `cannot tell: ${parts.join('; ')}`;
}

function aliasTargets(name: string, inventory: ModuleInventory): string[] {
  return inventory.aliases.get(normalizeModuleName(name)) ?? [];
}

function uniqueNames(names: string[]): string[] {
  return [...new Set(names.map(normalizeModuleName))];
}
