/** The report's `iptables` section: the observed backend and readiness of each backend mode. */
import type { Facts } from './facts.ts';
import type { BackendReadiness, IptablesReport, ModuleReport, RuleBackend } from './report.ts';
import { compareKernel } from '../modules/kernel.ts';
import type { KconfigFacts, KernelFacts } from '../modules/types.ts';

const LEGACY_GATE = { major: 6, minor: 17, patch: 0 };
export const LEGACY_XTABLES_SYMBOL = 'CONFIG_NETFILTER_XTABLES_LEGACY';

/**
 * Kernels 6.17+ build legacy xtables (the `iptables-legacy` kernel side) only with
 * CONFIG_NETFILTER_XTABLES_LEGACY. true/false when known, undefined when the config is not visible.
 */
export function legacyXtablesAvailable(kernel: KernelFacts, kconfig: KconfigFacts): boolean | undefined {
  if (!kernel.parsed) return undefined;
  if (compareKernel(kernel.parsed, LEGACY_GATE) < 0) return true;
  const value = kconfig.values.get(LEGACY_XTABLES_SYMBOL);
  if (value === 'y' || value === 'm') return true;
  if (!kconfig.source) return undefined;
  return false;
}

/** What a mode lacks: modules missing, loadable but not loaded, or unknown, and required config symbols that are off. */
export function requirementGaps(
  modules: readonly Pick<ModuleReport, 'name' | 'state'>[],
  symbols: readonly { symbol: string }[],
  kconfig: KconfigFacts,
): { missing: string[]; notLoaded: string[]; unknown: string[]; notes: string[] } {
  const missing = modules.filter((m) => m.state === 'missing').map((m) => m.name);
  const notLoaded = modules.filter((m) => m.state === 'loadable').map((m) => m.name);
  const unknown = modules.filter((m) => m.state === 'unknown').map((m) => m.name);
  const notes: string[] = [];
  for (const { symbol } of symbols) {
    const value = kconfig.values.get(symbol);
    if (value === 'n' || (kconfig.source && value === undefined)) {
      missing.push(symbol);
      notes.push(`${symbol} is not set in ${kconfig.source}`);
    } else if (value === undefined) {
      unknown.push(symbol);
    }
  }
  return { missing, notLoaded, unknown, notes };
}

export async function backendReadiness(facts: Facts, backend: RuleBackend): Promise<BackendReadiness> {
  const [modules, requirements, kernel, kconfig, autoload] = await Promise.all([
    facts.moduleStates(backend),
    facts.requirements(backend),
    facts.kernel(),
    facts.kconfig(),
    facts.autoload(backend),
  ]);
  const { missing, notLoaded, unknown, notes } = requirementGaps(modules, requirements.kconfig, kconfig);
  let legacyBlocked = false;
  if (backend === 'legacy' && legacyXtablesAvailable(kernel, kconfig) === false) {
    legacyBlocked = true;
    notes.push(`kernel ${kernel.release} has no legacy xtables (${LEGACY_XTABLES_SYMBOL} is not set): legacy iptables cannot work here`);
  }
  // A module the pod cannot get is as good as missing for this mode until it is loaded on the host.
  const unreachable = autoload.modules.filter((m) => m.value === 'no').map((m) => m.module);
  if (unreachable.length > 0) notes.push(`the mesh's pod cannot load ${unreachable.join(', ')} (see autoload): load them on the host`);
  return {
    backend,
    ready: missing.length === 0 && !legacyBlocked && unreachable.length === 0,
    missing,
    notLoaded,
    unknown,
    notes,
    autoload: { value: autoload.value, reason: autoload.reason },
  };
}

export async function iptablesSection(facts: Facts): Promise<IptablesReport> {
  const [observation, choice, kernel, kconfig] = await Promise.all([
    facts.iptables(),
    facts.meshBackend(),
    facts.kernel(),
    facts.kconfig(),
  ]);
  const modes = await Promise.all((['nft', 'legacy'] as const).map((backend) => backendReadiness(facts, backend)));
  return {
    backend: observation.backend,
    meshBackend: choice.backend,
    meshBackendSource: choice.source,
    hostVersion: observation.hostVersion,
    legacyXtablesAvailable: legacyXtablesAvailable(kernel, kconfig),
    modes,
  };
}
