/**
 * deriveRequirements: mesh profile (checks/profiles/) × options × mode → the modules, kernel config
 * symbols, tables, rule sets (iptables-restore or nft -f), ipsets and policy routes the mesh needs. Pure
 * and deterministic: same options, same output, modules sorted by name. Modules always come from the
 * rules: netfilter-map.ts for iptables tables/matches/targets, nft-map.ts for nft expressions.
 */
import type {
  Family,
  IpRuleRequirement,
  IpsetRequirement,
  KconfigRequirement,
  ModuleRequirement,
  RequirementOptions,
  Requirements,
} from './requirements.types.ts';
import type { Interception } from './options.ts';
import type { Dataplane } from './report.ts';
import type { Condition, IptablesDataplane, MeshProfile, NftDataplane, NftRuleset, PolicyRouteNeed, RulesetTemplate, Table } from '../../checks/profiles/types.ts';
import { TABLE_ORDER } from '../../checks/profiles/types.ts';
import { profiles } from '../../checks/profiles/index.ts';
import { IPSET_TYPES, MODULES, POLICY_ROUTING_KCONFIG, coreModules, extensionModules, tableModules } from '../../checks/kernel-data/netfilter-map.ts';
import { NFT_CORE, nftLineNeeds } from '../../checks/kernel-data/nft-map.ts';
import { compareVersions, resolveMeshVersion, versionInRange } from './mesh-version.ts';

/** The option variant a profile actually implements (unsupported variants fall back to the base). */
export interface EffectiveVariant {
  dnsCapture: boolean;
  interception: Interception;
  families: Family[];
  /** The profile release; undefined for a profile that distinguishes none. */
  meshVersion?: string;
}

/** Clamp options to what the mesh supports: Linkerd has no DNS capture and no TPROXY mode. */
export function effectiveVariant(profile: MeshProfile, opts: RequirementOptions): EffectiveVariant {
  const { version } = resolveMeshVersion(profile, opts.meshVersion);
  return {
    dnsCapture: opts.dnsCapture && profile.supports.dnsCapture,
    interception: profile.supports.tproxy ? opts.interception : 'redirect',
    families: opts.ipv6 && profile.supports.ipv6 ? ['ipv4', 'ipv6'] : ['ipv4'],
    ...(version === undefined ? {} : { meshVersion: version }),
  };
}

/** Whether a profile entry's condition holds for the variant. */
export function conditionHolds(when: Condition | undefined, variant: EffectiveVariant): boolean {
  if (!when) return true;
  if (when.dnsCapture !== undefined && when.dnsCapture !== variant.dnsCapture) return false;
  if (when.interception !== undefined && when.interception !== variant.interception) return false;
  if (when.versions !== undefined && !versionInRange(variant.meshVersion, when.versions)) return false;
  return true;
}

const appliesTo = (families: Family[] | undefined, family: Family): boolean => !families || families.includes(family);

/** The iptables side of a dataplane: the profile itself for sidecars, `profile.ambient` for ambient. */
export function iptablesDataplane(profile: MeshProfile, dataplane: Dataplane): IptablesDataplane {
  if (dataplane === 'sidecar') return profile;
  if (!profile.ambient) throw new Error(`${profile.mesh} has no ${dataplane} dataplane`);
  return profile.ambient;
}

/** Rule lines of one family, grouped by table in TABLE_ORDER. */
function rulesByTable(template: RulesetTemplate, variant: EffectiveVariant, family: Family): Map<Table, string[]> {
  const byTable = new Map<Table, string[]>();
  for (const line of template.lines) {
    if (!conditionHolds(line.when, variant) || !appliesTo(line.families, family)) continue;
    const text = typeof line.rule === 'string' ? line.rule : line.rule[family];
    byTable.set(line.table, [...(byTable.get(line.table) ?? []), text]);
  }
  return new Map(TABLE_ORDER.filter((t) => byTable.has(t)).map((t) => [t, byTable.get(t) ?? []]));
}

/** The iptables-restore input for one family (the sidecar rules unless a template is given). */
export function renderRuleset(
  profile: MeshProfile,
  variant: EffectiveVariant,
  family: Family,
  template: RulesetTemplate = profile.ruleset,
): { text: string; tables: Table[] } {
  const byTable = rulesByTable(template, variant, family);
  const out: string[] = [];
  for (const [table, rules] of byTable) out.push(template.tableHeader(table), ...rules, 'COMMIT');
  return { text: out.length > 0 ? `${out.join('\n')}\n` : '', tables: [...byTable.keys()] };
}

/** The `nft -f` script for the families (address-specific lines once per family, others once). */
export function renderNftRuleset(ruleset: NftRuleset, variant: EffectiveVariant, families: Family[]): string {
  const out: string[] = [];
  for (const entry of ruleset.lines) {
    if (!conditionHolds(entry.when, variant)) continue;
    if (typeof entry.line === 'string') {
      if (!entry.families || entry.families.some((f) => families.includes(f))) out.push(entry.line);
      continue;
    }
    for (const family of families) if (appliesTo(entry.families, family)) out.push(entry.line[family]);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
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

function ipRules(routes: PolicyRouteNeed[] | undefined, variant: EffectiveVariant, kconfig: Collector): IpRuleRequirement[] {
  const out: IpRuleRequirement[] = [];
  for (const route of routes ?? []) {
    if (!conditionHolds(route.when, variant)) continue;
    for (const family of variant.families) {
      out.push({ fwmark: route.fwmark, table: route.table, priority: route.priority, family, source: route.source });
      const symbol = POLICY_ROUTING_KCONFIG[family];
      kconfig.add(symbol.symbol, `policy routing (${family}): ${route.why}`, [route.source, symbol.source]);
    }
  }
  return out;
}

/** What the mesh needs from this node for the given options and mode. */
export function deriveRequirements(opts: RequirementOptions): Requirements {
  const profile = profiles[opts.mesh];
  const dataplane = opts.dataplane ?? 'sidecar';
  const variant = effectiveVariant(profile, opts);
  const nft = opts.nativeNftables ? profile.nftables?.[dataplane] : undefined;
  if (opts.nativeNftables && !nft) throw new Error(`${profile.mesh} ${dataplane} does not program nftables natively`);
  return nft ? deriveNftables(profile, dataplane, nft, variant, opts) : deriveIptables(profile, dataplane, variant, opts);
}

function base(profile: MeshProfile, dataplane: Dataplane, variant: EffectiveVariant, opts: RequirementOptions) {
  return {
    mesh: profile.mesh,
    backend: opts.backend,
    dataplane,
    ...(variant.meshVersion === undefined ? {} : { meshVersion: variant.meshVersion }),
    families: variant.families,
    proxyUid: profile.proxyUid,
    initContainers: dataplane === 'ambient' && profile.ambient ? [...profile.ambient.agents] : [...profile.initContainers],
  };
}

function deriveIptables(profile: MeshProfile, dataplane: Dataplane, variant: EffectiveVariant, opts: RequirementOptions): Requirements {
  const plane = iptablesDataplane(profile, dataplane);
  const modules = new Collector();
  const kconfig = new Collector();
  const ruleset: Partial<Record<Family, string>> = {};
  const tables: Partial<Record<Family, string[]>> = {};
  const hostRuleset: Partial<Record<Family, string>> = {};
  const hostTables: Partial<Record<Family, string[]>> = {};

  for (const need of plane.node) {
    if (conditionHolds(need.when, variant)) modules.add(need.module, need.why, [need.source, ...moduleSource(need.module)]);
  }

  for (const family of variant.families) {
    for (const m of coreModules(opts.backend, family)) {
      modules.add(m, `${family} rules (${opts.backend} backend)`, moduleSource(m));
    }
    for (const need of plane.tables) {
      if (!conditionHolds(need.when, variant) || !appliesTo(need.families, family)) continue;
      for (const m of tableModules(opts.backend, family, need.table)) {
        modules.add(m, `table ${need.table} (${family}): ${need.why}`, [need.source, ...moduleSource(m)]);
      }
    }
    for (const ext of plane.extensions) {
      if (!conditionHolds(ext.when, variant) || !appliesTo(ext.families, family)) continue;
      const needed = extensionModules(ext.kind, ext.name, family);
      if (!needed) throw new Error(`${profile.mesh} profile: unknown ${ext.kind} ${ext.name} (add it to checks/kernel-data/netfilter-map.ts)`);
      for (const m of needed) modules.add(m, `${ext.kind} ${ext.name}`, [ext.source, ...moduleSource(m)]);
    }
    const rendered = renderRuleset(profile, variant, family, plane.ruleset);
    ruleset[family] = rendered.text;
    tables[family] = rendered.tables;
    if (plane.hostRuleset) {
      const host = renderRuleset(profile, variant, family, plane.hostRuleset);
      if (host.text !== '') {
        hostRuleset[family] = host.text;
        hostTables[family] = host.tables;
      }
    }
  }

  const ipsets: IpsetRequirement[] = [];
  for (const set of plane.ipsets ?? []) {
    if (!conditionHolds(set.when, variant)) continue;
    for (const family of variant.families) {
      if (!appliesTo(set.families, family)) continue;
      ipsets.push({ name: typeof set.name === 'string' ? set.name : set.name[family], type: set.type, family, comment: set.comment, source: set.source });
      const type = IPSET_TYPES[set.type];
      for (const m of type.modules) modules.add(m, `ipset ${set.type}${set.comment ? ' with comments' : ''}: ${set.why}`, [set.source, type.source, ...moduleSource(m)]);
    }
  }

  for (const need of plane.kconfig) {
    if (conditionHolds(need.when, variant)) kconfig.add(need.symbol, need.why, [need.source]);
  }
  const rules = ipRules(plane.policyRoutes, variant, kconfig);

  return {
    ...base(profile, dataplane, variant, opts),
    engine: 'iptables',
    minKernel: { release: plane.minKernel[opts.backend].release, source: plane.minKernel[opts.backend].source },
    modules: modules.list() satisfies ModuleRequirement[],
    kconfig: kconfig.list().map(({ name, requiredFor, sources }) => ({ symbol: name, requiredFor, sources }) satisfies KconfigRequirement),
    ruleset,
    tables,
    hostRuleset,
    hostTables,
    ipsets,
    ipRules: rules,
  };
}

function deriveNftables(profile: MeshProfile, dataplane: Dataplane, nft: NftDataplane, variant: EffectiveVariant, opts: RequirementOptions): Requirements {
  const modules = new Collector();
  const kconfig = new Collector();
  for (const need of nft.node) {
    if (!conditionHolds(need.when, variant)) continue;
    if (need.families && !need.families.some((f) => variant.families.includes(f))) continue;
    modules.add(need.module, need.why, [need.source, ...moduleSource(need.module)]);
  }
  for (const m of NFT_CORE.modules) modules.add(m, 'every nft rule', [NFT_CORE.source, ...moduleSource(m)]);
  const scripts: { ruleset: NftRuleset; where: string }[] = [{ ruleset: nft.ruleset, where: 'pod netns' }];
  if (nft.hostRuleset) scripts.push({ ruleset: nft.hostRuleset, where: 'host netns' });
  const rendered: string[] = [];
  for (const { ruleset, where } of scripts) {
    for (const family of variant.families) {
      const text = renderNftRuleset(ruleset, variant, [family]);
      for (const line of text.split('\n')) {
        for (const { expression, modules: needed } of nftLineNeeds(line, family)) {
          for (const m of needed) modules.add(m, `nft ${expression.name} (${where})`, [ruleset.source, expression.source, ...moduleSource(m)]);
          for (const symbol of expression.kconfig ?? []) kconfig.add(symbol, `nft ${expression.name} (${where})`, [ruleset.source, expression.source]);
        }
      }
    }
    rendered.push(renderNftRuleset(ruleset, variant, variant.families));
  }
  for (const need of nft.kconfig) {
    if (conditionHolds(need.when, variant)) kconfig.add(need.symbol, need.why, [need.source]);
  }
  const rules = ipRules(nft.policyRoutes, variant, kconfig);
  const unavailable =
    variant.meshVersion !== undefined && compareVersions(variant.meshVersion, nft.since) < 0
      ? `${profile.mesh} ${variant.meshVersion} has no native nftables for ${dataplane} (since ${nft.since}: ${nft.sinceSource})`
      : undefined;
  return {
    ...base(profile, dataplane, variant, opts),
    backend: 'nft',
    engine: 'nftables',
    minKernel: { ...nft.minKernel },
    minNft: { ...nft.minNft },
    modules: modules.list(),
    kconfig: kconfig.list().map(({ name, requiredFor, sources }) => ({ symbol: name, requiredFor, sources })),
    ruleset: {},
    tables: {},
    hostRuleset: {},
    hostTables: {},
    nft: { pod: rendered[0] ?? '', ...(rendered[1] ? { host: rendered[1] } : {}) },
    ipsets: [],
    ipRules: rules,
    ...(unavailable ? { unavailable } : {}),
  };
}
