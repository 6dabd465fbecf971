/**
 * Facts: memoised gatherers shared by all checks of one run, so that a fact (the loaded modules, the
 * node's iptables backend) is read once and every check, the report and fixes see the same value.
 */
import type { Dataplane, RuleBackend, ModuleReport } from './report.ts';
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

/** One way a mesh intercepts: dataplane × rule backend, or native nftables. */
export interface ModeSpec {
  dataplane: Dataplane;
  backend: RuleBackend;
  nativeNftables: boolean;
}

/** The host's `nft --version`, when there is an nft binary. */
export interface NftBinaryFacts {
  version?: string;
  /** `host` when mesh-preflight runs on the node itself (--host-root /); `container` below a mounted host root. */
  where: 'host' | 'container';
  /** `nft --version` output line, or why it is not known. */
  evidence: string;
}

export interface Facts {
  kernel(): Promise<KernelFacts>;
  /** /etc/os-release, classified; `source` is the file read (undefined when none). */
  os(): Promise<OsInfo & { source?: string; problems?: string[] }>;
  kconfig(): Promise<KconfigFacts>;
  moduleInventory(): Promise<ModuleInventory>;
  iptables(): Promise<IptablesObservation>;
  /** The backend requirements are derived for: `--backend`, or the node's own (auto). */
  meshBackend(): Promise<MeshBackendChoice>;
  requirements(backend?: RuleBackend): Promise<Requirements>;
  /** State of every module required for the given backend mode (default: the mesh backend). */
  moduleStates(backend?: RuleBackend): Promise<ModuleReport[]>;
  /** Requirements of any mode of the chosen mesh (the other options as given). */
  requirementsFor(mode: ModeSpec): Promise<Requirements>;
  /** Module states for any mode of the chosen mesh. */
  moduleStatesFor(mode: ModeSpec): Promise<ModuleReport[]>;
  /** The node's own nft binary (matters when the mesh's CNI plugin runs nft on the host). */
  nftBinary(): Promise<NftBinaryFacts>;
  /** SELinux, modules_disabled, kernel.modprobe and modprobe.d facts (src/autoload/read.ts). */
  autoloadFacts(): Promise<AutoloadFacts>;
  /** Will the mesh's pod get the not-loaded modules of this mode (default: the mesh backend)? */
  autoload(backend?: RuleBackend): Promise<AutoloadJudgement>;
  /** The same judgement for any mode of the chosen mesh (its own modules: sidecar, ambient, native nftables). */
  autoloadFor(mode: ModeSpec): Promise<AutoloadJudgement>;
}
