/**
 * deriveRequirements: mesh profile (checks/profiles/) × options × backend → the modules, kernel
 * config symbols, tables and iptables-restore input the mesh's init container needs. Pure and
 * deterministic: same options, same output, modules sorted by name.
 */
import type { Family, Requirements, RequirementOptions, ModuleRequirement, KconfigRequirement } from './requirements.types.ts';
import type { Interception } from './options.ts';
import type { Condition, MeshProfile, Table } from '../../checks/profiles/types.ts';
import { TABLE_ORDER } from '../../checks/profiles/types.ts';
import { profiles } from '../../checks/profiles/index.ts';
import { MODULES, coreModules, extensionModules, tableModules } from '../../checks/kernel-data/netfilter-map.ts';

/** The option variant a profile actually implements (unsupported variants fall back to the base). */
export interface EffectiveVariant {
  dnsCapture: boolean;
  interception: Interception;
  families: Family[];
}

/** Clamp options to what the mesh supports: Linkerd has no DNS capture and no TPROXY mode. */
export function effectiveVariant(profile: MeshProfile, opts: RequirementOptions): EffectiveVariant {
  return {
    dnsCapture: opts.dnsCapture && profile.supports.dnsCapture,
    interception: profile.supports.tproxy ? opts.interception : 'redirect',
    families: opts.ipv6 && profile.supports.ipv6 ? ['ipv4', 'ipv6'] : ['ipv4'],
  };
}

/** Whether a profile entry's condition holds for the variant. */
export function conditionHolds(when: Condition | undefined, variant: EffectiveVariant): boolean {
  if (!when) return true;
  if (when.dnsCapture !== undefined && when.dnsCapture !== variant.dnsCapture) return false;
  if (when.interception !== undefined && when.interception !== variant.interception) return false;
  return true;
}

const appliesTo = (families: Family[] | undefined, family: Family): boolean => !families || families.includes(family);

/** Rule lines of one family, grouped by table in TABLE_ORDER. */
function rulesByTable(profile: MeshProfile, variant: EffectiveVariant, family: Family): Map<Table, string[]> {
  const byTable = new Map<Table, string[]>();
  for (const line of profile.ruleset.lines) {
    if (!conditionHolds(line.when, variant) || !appliesTo(line.families, family)) continue;
    const text = typeof line.rule === 'string' ? line.rule : line.rule[family];
    byTable.set(line.table, [...(byTable.get(line.table) ?? []), text]);
  }
  return new Map(TABLE_ORDER.filter((t) => byTable.has(t)).map((t) => [t, byTable.get(t) ?? []]));
}

/** The iptables-restore input for one family. */
export function renderRuleset(profile: MeshProfile, variant: EffectiveVariant, family: Family): { text: string; tables: Table[] } {
  const byTable = rulesByTable(profile, variant, family);
  const out: string[] = [];
  for (const [table, rules] of byTable) out.push(profile.ruleset.tableHeader(table), ...rules, 'COMMIT');
  return { text: out.length > 0 ? `${out.join('\n')}\n` : '', tables: [...byTable.keys()] };
}

/** Accumulates requirements keyed by name, keeping first-seen order of reasons and sources. */
class Collector {
  private readonly entries = new Map<string, { requiredFor: Set<string>; sources: Set<string> }>();

  add(name: string, requiredFor: string, sources: string[]): void {
    const entry = this.entries.get(name) ?? { requiredFor: new Set(), sources: new Set() };
    entry.requiredFor.add(requiredFor);
    for (const s of sources) entry.sources.add(s);
    this.entries.set(name, entry);
  }

  list(): { name: string; requiredFor: string[]; sources: string[] }[] {
    return [...this.entries.keys()]
      .sort()
      .map((name) => {
        const e = this.entries.get(name)!;
        return { name, requiredFor: [...e.requiredFor], sources: [...e.sources] };
      });
  }
}

const moduleSource = (name: string): string[] => (MODULES[name] ? [MODULES[name].source] : []);

/** What the mesh's init container needs from this node for the given options. */
export function deriveRequirements(opts: RequirementOptions): Requirements {
  const profile = profiles[opts.mesh];
  const variant = effectiveVariant(profile, opts);
  const modules = new Collector();
  const kconfig = new Collector();
  const ruleset: Partial<Record<Family, string>> = {};
  const tables: Partial<Record<Family, string[]>> = {};

  for (const need of profile.node) modules.add(need.module, need.why, [need.source, ...moduleSource(need.module)]);

  for (const family of variant.families) {
    for (const m of coreModules(opts.backend, family)) {
      modules.add(m, `${family} rules (${opts.backend} backend)`, moduleSource(m));
    }
    for (const need of profile.tables) {
      if (!conditionHolds(need.when, variant) || !appliesTo(need.families, family)) continue;
      for (const m of tableModules(opts.backend, family, need.table)) {
        modules.add(m, `table ${need.table} (${family}): ${need.why}`, [need.source, ...moduleSource(m)]);
      }
    }
    for (const ext of profile.extensions) {
      if (!conditionHolds(ext.when, variant) || !appliesTo(ext.families, family)) continue;
      const needed = extensionModules(ext.kind, ext.name, family);
      if (!needed) throw new Error(`${profile.mesh} profile: unknown ${ext.kind} ${ext.name} (add it to checks/kernel-data/netfilter-map.ts)`);
      for (const m of needed) modules.add(m, `${ext.kind} ${ext.name}`, [ext.source, ...moduleSource(m)]);
    }
    const rendered = renderRuleset(profile, variant, family);
    ruleset[family] = rendered.text;
    tables[family] = rendered.tables;
  }

  for (const need of profile.kconfig) {
    if (conditionHolds(need.when, variant)) kconfig.add(need.symbol, need.why, [need.source]);
  }

  return {
    mesh: profile.mesh,
    backend: opts.backend,
    families: variant.families,
    proxyUid: profile.proxyUid,
    initContainers: [...profile.initContainers],
    minKernel: { release: profile.minKernel[opts.backend].release, source: profile.minKernel[opts.backend].source },
    modules: modules.list() satisfies ModuleRequirement[],
    kconfig: kconfig.list().map(({ name, requiredFor, sources }) => ({ symbol: name, requiredFor, sources }) satisfies KconfigRequirement),
    ruleset,
    tables,
  };
}
