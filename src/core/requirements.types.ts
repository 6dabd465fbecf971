/**
 * What a mesh needs from a node, derived from a mesh profile (checks/profiles/) for one mode
 * (dataplane × iptables backend, or native nftables). Produced by deriveRequirements() in
 * src/core/requirements.ts; consumed by the checks, the modes section and fixes.
 */
import type { Dataplane, Mesh, RuleBackend } from './report.ts';
import type { Interception } from './options.ts';

export type Family = 'ipv4' | 'ipv6';

export interface RequirementOptions {
  mesh: Mesh;
  backend: RuleBackend;
  dnsCapture: boolean;
  interception: Interception;
  ipv6: boolean;
  /** Default `sidecar`. */
  dataplane?: Dataplane;
  /** The mesh writes nftables itself (no iptables binary); default false. */
  nativeNftables?: boolean;
  /** `X.Y`; default the newest release the profile knows (an unknown one resolves to the nearest). */
  meshVersion?: string;
}

export interface ModuleRequirement {
  /** Canonical module name as of current kernels' naming in the profile (e.g. `xt_REDIRECT`). */
  name: string;
  /** The constructs that need it: `table nat`, `target REDIRECT`, `match owner`, `bridge netfilter`... */
  requiredFor: string[];
  /** Citations (URL + path/line) of where the requirement comes from. */
  sources: string[];
}

export interface KconfigRequirement {
  symbol: string;
  requiredFor: string[];
  sources: string[];
}

/** An ipset the mesh creates (probe: `ipset create NAME hash:ip family inet comment`). */
export interface IpsetRequirement {
  name: string;
  type: 'hash:ip';
  family: Family;
  comment: boolean;
  source: string;
}

/** A policy-routing rule the mesh adds in the pod netns. */
export interface IpRuleRequirement {
  fwmark: string;
  table: number;
  priority: number;
  family: Family;
  source: string;
}

export interface Requirements {
  mesh: Mesh;
  backend: RuleBackend;
  dataplane: Dataplane;
  /** `iptables` (an iptables binary, legacy or nft backend) or `nftables` (native nft rules). */
  engine: 'iptables' | 'nftables';
  /** The profile release requirements follow (`X.Y`), when the profile distinguishes releases. */
  meshVersion?: string;
  families: Family[];
  proxyUid: number;
  /** Names of this mesh's init containers (ambient: the node agents that program pods). */
  initContainers: string[];
  minKernel: { release: string; source: string };
  /** Native nftables: the minimum `nft` binary. */
  minNft?: { version: string; source: string };
  modules: ModuleRequirement[];
  /** Kernel config symbols that are not modules of their own (e.g. CONFIG_NF_CONNTRACK_ZONES). */
  kconfig: KconfigRequirement[];
  /** iptables-restore input the mesh applies in the pod netns, per family (empty for native nftables). */
  ruleset: Partial<Record<Family, string>>;
  /** Tables the rule set touches, per family (for per-table dry-run reporting). */
  tables: Partial<Record<Family, string[]>>;
  /** iptables-restore input applied in the node's own netns (ambient), per family. */
  hostRuleset: Partial<Record<Family, string>>;
  hostTables: Partial<Record<Family, string[]>>;
  /** Native nftables: the `nft -f` scripts for the pod netns and the node's netns. */
  nft?: { pod: string; host?: string };
  ipsets: IpsetRequirement[];
  ipRules: IpRuleRequirement[];
  /** Why a requested variant does not exist at this release (e.g. native nftables before 1.27). */
  unavailable?: string;
}
