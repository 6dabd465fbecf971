/**
 * What a mesh needs from a node, derived from a mesh profile (checks/profiles/) for one backend mode.
 * Produced by deriveRequirements() in src/core/requirements.ts; consumed by the checks and fixes.
 */
import type { Mesh, RuleBackend } from './report.ts';
import type { Interception } from './options.ts';

export type Family = 'ipv4' | 'ipv6';

export interface RequirementOptions {
  mesh: Mesh;
  backend: RuleBackend;
  dnsCapture: boolean;
  interception: Interception;
  ipv6: boolean;
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

export interface Requirements {
  mesh: Mesh;
  backend: RuleBackend;
  families: Family[];
  proxyUid: number;
  /** Names of this mesh's init containers. */
  initContainers: string[];
  minKernel: { release: string; source: string };
  modules: ModuleRequirement[];
  /** Kernel config symbols that are not modules of their own (e.g. CONFIG_NF_CONNTRACK_ZONES). */
  kconfig: KconfigRequirement[];
  /** iptables-restore input the mesh's init container would apply, per family. */
  ruleset: Partial<Record<Family, string>>;
  /** Tables the rule set touches, per family (for per-table dry-run reporting). */
  tables: Partial<Record<Family, string[]>>;
}
