/**
 * The Facts of one run, gathered from a host root and an Exec, each at most once (memoised promises).
 */
import type { CheckOptions } from './options.ts';
import type { Facts, MeshBackendChoice } from './facts.ts';
import type { ModuleReport, RuleBackend } from './report.ts';
import type { Requirements } from './requirements.types.ts';
import { deriveRequirements } from './requirements.ts';
import type { Exec } from '../host/exec.ts';
import type { HostRoot } from '../host/root.ts';
import { readOsInfo, type OsInfo } from '../host/os-family.ts';

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

  os(): Promise<OsInfo & { source?: string }> {
    return this.once('os', () => readOsInfo(this.deps.host));
  }

  kconfig(): Promise<KconfigFacts> {
    return this.once('kconfig', async () => readKconfig(this.deps.host, await this.kernel()));
  }

  moduleInventory(): Promise<ModuleInventory> {
    return this.once('inventory', async () => readModuleInventory(this.deps.host, await this.kernel()));
  }

  iptables(): Promise<IptablesObservation> {
    return this.once('iptables', () => observeIptables(this.deps.exec, { ipv6: this.deps.options.ipv6 }));
  }

  meshBackend(): Promise<MeshBackendChoice> {
    return this.once('meshBackend', async () => {
      const choice = this.deps.options.backend;
      if (choice !== 'auto') return { backend: choice, source: 'flag', reason: `--backend ${choice}` };
      return autoBackend(await this.iptables());
    });
  }

  requirements(backend?: RuleBackend): Promise<Requirements> {
    return this.once(`requirements:${backend ?? ''}`, async () => {
      const { mesh, dnsCapture, interception, ipv6 } = this.deps.options;
      const chosen = backend ?? (await this.meshBackend()).backend;
      return deriveRequirements({ mesh, backend: chosen, dnsCapture, interception, ipv6 });
    });
  }

  moduleStates(backend?: RuleBackend): Promise<ModuleReport[]> {
    return this.once(`moduleStates:${backend ?? ''}`, async () => {
      const requirements = await this.requirements(backend);
      const facts = { kernel: await this.kernel(), kconfig: await this.kconfig(), inventory: await this.moduleInventory() };
      const knowledge = this.deps.knowledge ?? shippedModuleKnowledge;
      return requirements.modules.map((m) => decideModuleState(m.name, facts, knowledge, m.requiredFor));
    });
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

  private once<T>(key: string, gather: () => Promise<T>): Promise<T> {
    let promise = this.memo.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = gather();
      this.memo.set(key, promise);
    }
    return promise;
  }
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
