/**
 * Facts: memoised gatherers shared by all checks of one run, so that a fact (the loaded modules, the
 * node's iptables backend) is read once and every check, the report and fixes see the same value.
 */
import type { RuleBackend, ModuleReport } from './report.ts';
import type { Requirements } from './requirements.types.ts';
import type { IptablesObservation } from '../iptables/types.ts';
import type { KernelFacts, KconfigFacts, ModuleInventory } from '../modules/types.ts';
import type { OsInfo } from '../host/os-family.ts';
import type { AutoloadFacts, AutoloadJudgement } from '../autoload/types.ts';

export interface MeshBackendChoice {
  backend: RuleBackend;
  source: 'flag' | 'auto';
  /** One line: why this backend (flag, or what the node uses). */
  reason: string;
}

export interface Facts {
  kernel(): Promise<KernelFacts>;
  /** /etc/os-release, classified; `source` is the file read (undefined when none). */
  os(): Promise<OsInfo & { source?: string }>;
  kconfig(): Promise<KconfigFacts>;
  moduleInventory(): Promise<ModuleInventory>;
  iptables(): Promise<IptablesObservation>;
  /** The backend requirements are derived for: `--backend`, or the node's own (auto). */
  meshBackend(): Promise<MeshBackendChoice>;
  requirements(backend?: RuleBackend): Promise<Requirements>;
  /** State of every module required for the given backend mode (default: the mesh backend). */
  moduleStates(backend?: RuleBackend): Promise<ModuleReport[]>;
  /** SELinux, modules_disabled, kernel.modprobe and modprobe.d facts (src/autoload/read.ts). */
  autoloadFacts(): Promise<AutoloadFacts>;
  /** Will the mesh's pod get the not-loaded modules of this mode (default: the mesh backend)? */
  autoload(backend?: RuleBackend): Promise<AutoloadJudgement>;
}
