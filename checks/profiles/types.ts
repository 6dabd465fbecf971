/**
 * Mesh profile types: what a mesh's init container uses from netfilter, as data. A profile never
 * names a kernel module for a table, match or target — checks/kernel-data/netfilter-map.ts does the
 * mapping per backend — so one profile serves both iptables-legacy and iptables-nft.
 */
import type { Dataplane, Mesh, RuleBackend } from '../../src/core/report.ts';
import type { Family } from '../../src/core/requirements.types.ts';
import type { Interception } from '../../src/core/options.ts';

/** The iptables tables a mesh can touch. */
export type Table = 'filter' | 'mangle' | 'nat' | 'raw';

/** Table order in generated rulesets (alphabetical, as istio-iptables' restore builder sorts them). */
export const TABLE_ORDER: readonly Table[] = ['filter', 'mangle', 'nat', 'raw'];

/** Mesh releases an entry applies to, inclusive, as `X.Y` (an unset end is open). */
export interface VersionRange {
  from?: string;
  until?: string;
}

/** When an entry applies. An unset field matches every value of that option. */
export interface Condition {
  dnsCapture?: boolean;
  interception?: Interception;
  versions?: VersionRange;
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
  when?: Condition;
  families?: Family[];
  why: string;
}

/** A kernel config option that is not a module of its own. */
export interface KconfigNeed extends Cited {
  symbol: string;
  when?: Condition;
  families?: Family[];
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

/** An ipset the mesh creates (Istio ambient: the host-probe set, over netlink). */
export interface IpsetNeed extends Cited {
  /** Set name per family; `{ ipv4, ipv6 }` when the family is part of the name. */
  name: string | { ipv4: string; ipv6: string };
  type: 'hash:ip';
  /** Created with the `comment` extension (entries carry the pod UID). */
  comment: boolean;
  when?: Condition;
  families?: Family[];
  why: string;
}

/** A policy-routing rule the mesh adds (`ip rule add fwmark M/MASK lookup TABLE pref P`). */
export interface PolicyRouteNeed extends Cited {
  fwmark: string;
  table: number;
  priority: number;
  when?: Condition;
  why: string;
}

/**
 * The iptables side of one dataplane: the rules (pod network namespace, and for ambient also the host's),
 * the tables and extensions they use, node-level modules, config symbols, ipsets and policy routes.
 */
export interface IptablesDataplane {
  minKernel: Record<RuleBackend, MinKernel>;
  tables: TableNeed[];
  extensions: ExtensionNeed[];
  node: NodeNeed[];
  kconfig: KconfigNeed[];
  ruleset: RulesetTemplate;
  /** Rules applied in the node's own network namespace (ambient: the host-probe SNAT). */
  hostRuleset?: RulesetTemplate;
  ipsets?: IpsetNeed[];
  policyRoutes?: PolicyRouteNeed[];
}

/** One line of an `nft -f` script; `{ ipv4, ipv6 }` for address-family specific lines. */
export interface NftLine {
  line: string | { ipv4: string; ipv6: string };
  when?: Condition;
  families?: Family[];
}

/** An `nft -f` script, as data. */
export interface NftRuleset extends Cited {
  lines: NftLine[];
}

/**
 * A dataplane in which the mesh programs nftables itself (Istio `values.global.nativeNftables`): modules
 * are derived from the nft expressions its rules use (checks/kernel-data/nft-map.ts), plus what the mesh
 * states on top.
 */
export interface NftDataplane {
  /** First mesh release with it (`X.Y`). */
  since: string;
  sinceSource: string;
  minKernel: MinKernel;
  /** Minimum `nft` binary version, where the node's nft is the one used (CNI plugin on the host). */
  minNft: { version: string; source: string };
  ruleset: NftRuleset;
  hostRuleset?: NftRuleset;
  /** Modules the mesh lists for nftables that no rule shows (e.g. nft_socket), each cited. */
  node: NodeNeed[];
  kconfig: KconfigNeed[];
  policyRoutes?: PolicyRouteNeed[];
}

/**
 * How the mesh's rule-writing binary picks its iptables backend.
 * - `node`: like kube-proxy's wrapper, follows the node's rules (istio-iptables, Kuma);
 * - `image`: a plain `iptables` from its image's PATH, whose default backend is `imageDefault` (Consul);
 * - `configured`: a setting with a default (`configuredDefault`, Linkerd proxyInit.iptablesMode).
 */
export interface BackendPolicy extends Cited {
  sidecar: 'node' | 'image' | 'configured';
  /** With the mesh CNI plugin the host's iptables binary runs: `node` detection or the `host` default. */
  cni: 'node' | 'host' | 'configured';
  imageDefault?: RuleBackend;
  configuredDefault?: RuleBackend;
  /** What is not established about the backend (said in the report and the README). */
  caveat?: string;
}

/** Everything mesh-preflight knows about one mesh's interception needs. */
export interface MeshProfile extends IptablesDataplane {
  mesh: Mesh;
  proxyUid: number;
  proxyUidSource: string;
  initContainers: string[];
  initContainersSource: string;
  /** The containers that fail when the mesh's CNI plugin cannot apply the rules, with their exit codes. */
  cniValidation?: { container: string; exitCode: number; source: string };
  /** Which option variants the mesh implements; unsupported ones are ignored by deriveRequirements. */
  supports: { dnsCapture: boolean; tproxy: boolean; ipv6: boolean };
  /** Dataplanes the mesh has (the top-level iptables fields are the sidecar's). */
  dataplanes: Dataplane[];
  /** Releases the profile distinguishes (`X.Y`, oldest first); empty when nothing in it is release-specific. */
  versions: { known: string[]; source: string };
  backendPolicy: BackendPolicy;
  /** Istio ambient: ztunnel and the istio-cni node agent program the pod's netns. */
  ambient?: IptablesDataplane & { agents: string[]; agentsSource: string };
  nftables?: Partial<Record<Dataplane, NftDataplane>>;
}
