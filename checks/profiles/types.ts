/**
 * Mesh profile types: what a mesh's init container uses from netfilter, as data. A profile never
 * names a kernel module for a table, match or target — checks/kernel-data/netfilter-map.ts does the
 * mapping per backend — so one profile serves both iptables-legacy and iptables-nft.
 */
import type { Mesh, RuleBackend } from '../../src/core/report.ts';
import type { Family } from '../../src/core/requirements.types.ts';
import type { Interception } from '../../src/core/options.ts';

/** The iptables tables a mesh can touch. */
export type Table = 'filter' | 'mangle' | 'nat' | 'raw';

/** Table order in generated rulesets (alphabetical, as istio-iptables' restore builder sorts them). */
export const TABLE_ORDER: readonly Table[] = ['filter', 'mangle', 'nat', 'raw'];

/** When an entry applies. An unset field matches every value of that option. */
export interface Condition {
  dnsCapture?: boolean;
  interception?: Interception;
}

/** Every profile entry carries a citation: `owner/repo path` (optionally `@ commit`) or a URL. */
export interface Cited {
  source: string;
}

/** A table the mesh needs, with the reason (rules in it, or a documented need). */
export interface TableNeed extends Cited {
  table: Table;
  when?: Condition;
  /** Defaults to every family the options enable. */
  families?: Family[];
  why: string;
}

/** An iptables extension, named as written in rules: match `owner`, target `REDIRECT`. */
export interface ExtensionNeed extends Cited {
  kind: 'match' | 'target';
  name: string;
  /** Tables whose rules use it. */
  tables: Table[];
  when?: Condition;
  families?: Family[];
  why: string;
}

/** A node-level module that is not tied to a rule (e.g. br_netfilter). */
export interface NodeNeed extends Cited {
  module: string;
  why: string;
}

/** A kernel config option that is not a module of its own. */
export interface KconfigNeed extends Cited {
  symbol: string;
  when?: Condition;
  why: string;
}

/** One line of iptables-restore input; `{ ipv4, ipv6 }` when the line carries family addresses. */
export interface RuleLine {
  table: Table;
  rule: string | { ipv4: string; ipv6: string };
  when?: Condition;
  families?: Family[];
}

/** The restore input the init container applies, as data. */
export interface RulesetTemplate extends Cited {
  /** Table header style: istio-iptables writes `* nat`, iptables-save writes `*nat`. */
  tableHeader: (table: Table) => string;
  lines: RuleLine[];
}

/** The documented minimum kernel for one backend. */
export interface MinKernel extends Cited {
  release: string;
}

/** Everything mesh-preflight knows about one mesh's interception needs. */
export interface MeshProfile {
  mesh: Mesh;
  proxyUid: number;
  proxyUidSource: string;
  initContainers: string[];
  initContainersSource: string;
  /** Which option variants the mesh implements; unsupported ones are ignored by deriveRequirements. */
  supports: { dnsCapture: boolean; tproxy: boolean; ipv6: boolean };
  minKernel: Record<RuleBackend, MinKernel>;
  tables: TableNeed[];
  extensions: ExtensionNeed[];
  node: NodeNeed[];
  kconfig: KconfigNeed[];
  ruleset: RulesetTemplate;
}
