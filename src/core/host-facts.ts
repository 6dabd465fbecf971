/**
 * The Facts of one run, gathered from a host root and an Exec, each at most once (memoised promises).
 */
import type { CheckOptions } from './options.ts';
import type { Facts, MeshBackendChoice, ModeSpec, NftBinaryFacts } from './facts.ts';
import { profiles } from '../../checks/profiles/index.ts';
import type { MeshProfile } from '../../checks/profiles/types.ts';
import type { ModuleReport, RuleBackend } from './report.ts';
import type { Requirements } from './requirements.types.ts';
import { deriveRequirements } from './requirements.ts';
import type { Exec } from '../host/exec.ts';
import type { HostRoot } from '../host/root.ts';
import { readOsInfo, type OsInfo } from '../host/os-family.ts';
import { systemBinary } from '../host/system-binary.ts';

import { observeIptables } from '../iptables/observe.ts';
import type { IptablesObservation } from '../iptables/types.ts';
import { readKernel } from '../modules/kernel.ts';
import { readKconfig, readModuleInventory } from '../modules/inventory.ts';
import { decideModuleState, type ModuleKnowledge } from '../modules/state.ts';
import type { KconfigFacts, KernelFacts, ModuleInventory } from '../modules/types.ts';
import { kconfigSymbolsFor } from '../../checks/kernel-data/netfilter-map.ts';
import { resolveModule } from '../../checks/kernel-data/module-history.ts';
import { readAutoloadFacts } from '../autoload/read.ts';
import { judgeAutoload } from '../autoload/judge.ts';
import type { AutoloadFacts, AutoloadJudgement } from '../autoload/types.ts';

/** The kernel knowledge shipped in checks/kernel-data. */
export const shippedModuleKnowledge: ModuleKnowledge = { kconfigSymbolsFor, resolveModule };

export interface HostFactsDeps {
  options: CheckOptions;
  host: HostRoot;
  exec: Exec;
  knowledge?: ModuleKnowledge;
}

export class HostFacts implements Facts {
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly deps: HostFactsDeps;

  constructor(deps: HostFactsDeps) {
    this.deps = deps;
  }

  kernel(): Promise<KernelFacts> {
    return this.once('kernel', () => readKernel(this.deps.host));
  }

  os(): Promise<OsInfo & { source?: string; problems?: string[] }> {
    return this.once('os', () => readOsInfo(this.deps.host));
  }

  kconfig(): Promise<KconfigFacts> {
    return this.once('kconfig', async () => readKconfig(this.deps.host, await this.kernel()));
  }

  moduleInventory(): Promise<ModuleInventory> {
    return this.once('inventory', async () => readModuleInventory(this.deps.host, await this.kernel()));
  }

  iptables(): Promise<IptablesObservation> {
    return this.once('iptables', () => observeIptables(this.deps.exec, { ipv6: this.deps.options.ipv6, host: this.deps.host }));
  }

  meshBackend(): Promise<MeshBackendChoice> {
    return this.once('meshBackend', async () => {
      const { backend: choice, nativeNftables, cni, mesh } = this.deps.options;
      if (nativeNftables) return { backend: 'nft', source: choice === 'auto' ? 'auto' : 'flag', reason: '--native-nftables: the mesh writes nft rules itself, no iptables binary' };
      if (choice !== 'auto') return { backend: choice, source: 'flag', reason: `--backend ${choice}` };
      return policyBackend(profiles[mesh], cni, () => this.iptables());
    });
  }

  requirements(backend?: RuleBackend): Promise<Requirements> {
    return this.once(`requirements:${backend ?? ''}`, async () => {
      const { dataplane, nativeNftables } = this.deps.options;
      const chosen = backend ?? (await this.meshBackend()).backend;
      return this.requirementsFor({ dataplane, backend: chosen, nativeNftables });
    });
  }

  requirementsFor(mode: ModeSpec): Promise<Requirements> {
    return this.once(`requirementsFor:${modeKey(mode)}`, async () => {
      const { mesh, dnsCapture, interception, ipv6, meshVersion } = this.deps.options;
      return deriveRequirements({ mesh, dnsCapture, interception, ipv6, ...mode, ...(meshVersion === undefined ? {} : { meshVersion }) });
    });
  }

  moduleStates(backend?: RuleBackend): Promise<ModuleReport[]> {
    return this.once(`moduleStates:${backend ?? ''}`, async () => this.statesOf(await this.requirements(backend)));
  }

  moduleStatesFor(mode: ModeSpec): Promise<ModuleReport[]> {
    return this.once(`moduleStatesFor:${modeKey(mode)}`, async () => this.statesOf(await this.requirementsFor(mode)));
  }

  nftBinary(): Promise<NftBinaryFacts> {
    return this.once('nftBinary', async () => {
      const where = this.deps.options.hostRoot === '/' ? 'host' : 'container';
      const label = where === 'host' ? '$ nft --version' : "$ nft --version (this container's nft, not the node's)";
      const result = await this.deps.exec(systemBinary('nft'), ['--version'], { timeoutMs: 5_000 });
      if (!result.ok) return { where, evidence: `${label}: ${result.notFound ? 'not found' : result.error ?? 'failed'}` };
      const line = result.stdout.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
      const version = /\bv(\d+\.\d+(?:\.\d+)?)/.exec(line)?.[1];
      return { where, ...(version ? { version } : {}), evidence: `${label}: ${line}` };
    });
  }

  private async statesOf(requirements: Requirements): Promise<ModuleReport[]> {
    const facts = { kernel: await this.kernel(), kconfig: await this.kconfig(), inventory: await this.moduleInventory() };
    const knowledge = this.deps.knowledge ?? shippedModuleKnowledge;
    return requirements.modules.map((m) => decideModuleState(m.name, facts, knowledge, m.requiredFor));
  }

  autoloadFacts(): Promise<AutoloadFacts> {
    return this.once('autoloadFacts', async () => readAutoloadFacts(this.deps.host, await this.os()));
  }

  autoload(backend?: RuleBackend): Promise<AutoloadJudgement> {
    return this.once(`autoload:${backend ?? ''}`, async () => {
      const chosen = backend ?? (await this.meshBackend()).backend;
      return judgeAutoload(await this.autoloadFacts(), chosen, await this.moduleStates(backend));
    });
  }

  autoloadFor(mode: ModeSpec): Promise<AutoloadJudgement> {
    return this.once(`autoloadFor:${modeKey(mode)}`, async () =>
      judgeAutoload(await this.autoloadFacts(), mode.backend, await this.moduleStatesFor(mode)));
  }

  private once<T>(key: string, gather: () => Promise<T>): Promise<T> {
    let promise = this.memo.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = gather();
      this.memo.set(key, promise);
    }
    return promise;
  }
}

const modeKey = (mode: ModeSpec): string => `${mode.dataplane}:${mode.backend}:${mode.nativeNftables}`;

/**
 * `--backend auto` by how the mesh picks its backend (the profile's backendPolicy): following the node
 * (istio-iptables, Kuma), the image's own `iptables` (Consul), or a setting's default (Linkerd's
 * iptablesMode); with --cni the host's binary runs, so the host default can decide.
 */
export async function policyBackend(profile: MeshProfile, cni: boolean, iptables: () => Promise<IptablesObservation>): Promise<MeshBackendChoice> {
  const policy = profile.backendPolicy;
  const how = cni ? policy.cni : policy.sidecar;
  if (how === 'image' && policy.imageDefault) {
    return { backend: policy.imageDefault, source: 'auto', reason: `${profile.mesh} runs its image's own iptables, which is ${policy.imageDefault} (${policy.caveat ?? policy.source})` };
  }
  if (how === 'configured' && policy.configuredDefault) {
    return { backend: policy.configuredDefault, source: 'auto', reason: `${profile.mesh}'s iptables mode setting defaults to ${policy.configuredDefault}; pass --backend if yours differs` };
  }
  const observation = await iptables();
  if (how === 'host' && observation.hostDefault) {
    return { backend: observation.hostDefault, source: 'auto', reason: `${profile.mesh}'s CNI plugin runs the host's iptables, which defaults to ${observation.hostDefault}` };
  }
  return autoBackend(observation);
}

/**
 * With `--backend auto` the mesh's init container is assumed to follow the node: the backend holding
 * the node's rules, else the host iptables' default, else nft (the default of every current distro
 * and of current mesh images).
 */
export function autoBackend(observation: IptablesObservation): MeshBackendChoice {
  if (observation.backend === 'nft' || observation.backend === 'legacy') {
    return { backend: observation.backend, source: 'auto', reason: `the node's rules are in ${observation.backend}` };
  }
  if (observation.hostDefault) {
    return {
      backend: observation.hostDefault,
      source: 'auto',
      reason: `node rules: ${observation.backend}; the host's iptables defaults to ${observation.hostDefault}`,
    };
  }
  return { backend: 'nft', source: 'auto', reason: `node rules: ${observation.backend}; assuming nft, the current default` };
}
