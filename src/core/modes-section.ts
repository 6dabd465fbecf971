/**
 * The report's `modes`: every way the chosen mesh can intercept traffic (dataplane × iptables backend, and
 * native nftables where the mesh has it) and whether this node can run it, so an operator moving from
 * sidecars to ambient (or to native nftables) sees, node by node, what the other mode would need. With
 * --probe each mode's real rules are also applied in throwaway namespaces.
 */
import type { Facts, ModeSpec } from './facts.ts';
import type { CheckOptions } from './options.ts';
import type { ModeReadiness, RuleBackend } from './report.ts';
import type { Requirements } from './requirements.types.ts';
import { LEGACY_XTABLES_SYMBOL, legacyXtablesAvailable, requirementGaps } from './iptables-section.ts';
import { compareKernel, parseKernelRelease } from '../modules/kernel.ts';
import type { Exec } from '../host/exec.ts';
import type { HostRoot } from '../host/root.ts';
import { describeProbe, probeMode } from '../iptables/mode-probe.ts';
import { profiles } from '../../checks/profiles/index.ts';

const BACKENDS: readonly RuleBackend[] = ['nft', 'legacy'];

/** Every mode of the mesh, in report order: per dataplane, nft then legacy iptables, then native nftables. */
export function meshModes(options: Pick<CheckOptions, 'mesh'>): ModeSpec[] {
  const profile = profiles[options.mesh];
  const out: ModeSpec[] = [];
  for (const dataplane of profile.dataplanes) {
    for (const backend of BACKENDS) out.push({ dataplane, backend, nativeNftables: false });
    if (profile.nftables?.[dataplane]) out.push({ dataplane, backend: 'nft', nativeNftables: true });
  }
  return out;
}

/** Readiness of one mode from facts (pure apart from the facts it asks for). */
export async function modeReadiness(facts: Facts, options: CheckOptions, mode: ModeSpec): Promise<ModeReadiness & { requirements: Requirements }> {
  const [requirements, modules, kernel, kconfig, autoload] = await Promise.all([
    facts.requirementsFor(mode),
    facts.moduleStatesFor(mode),
    facts.kernel(),
    facts.kconfig(),
    facts.autoloadFor(mode),
  ]);
  const { missing, notLoaded, unknown, notes } = requirementGaps(modules, requirements.kconfig, kconfig);
  let blocked = false;
  const minimum = parseKernelRelease(requirements.minKernel.release);
  if (kernel.parsed && minimum && compareKernel(kernel.parsed, minimum) < 0) {
    blocked = true;
    notes.push(`kernel ${kernel.release} is older than ${requirements.minKernel.release} (${options.mesh}'s minimum for this mode; the kernel check cites it)`);
  }
  if (requirements.engine === 'iptables' && mode.backend === 'legacy' && legacyXtablesAvailable(kernel, kconfig) === false) {
    blocked = true;
    notes.push(`kernel ${kernel.release} has no legacy xtables (${LEGACY_XTABLES_SYMBOL} is not set)`);
  }
  if (requirements.unavailable) {
    blocked = true;
    notes.push(requirements.unavailable);
  }
  if (requirements.engine === 'nftables' && requirements.minNft) {
    // Elsewhere the mesh's image brings its own nft, and the node's is not run.
    if (nftOnNode({ cni: options.cni, dataplane: mode.dataplane })) {
      const nft = await facts.nftBinary();
      if (nft.where === 'host' && (nft.version === undefined || olderVersion(nft.version, requirements.minNft.version))) blocked = true;
      notes.push(`the CNI plugin runs the node's nft, which must be ≥ ${requirements.minNft.version}: ${nft.evidence}`);
    } else {
      notes.push(`nft ≥ ${requirements.minNft.version} is needed in the mesh's own image, which writes the rules (the node's nft is not used)`);
    }
  }
  // A not-loaded module the pod cannot get is as good as missing until it is loaded on the host (as in iptables.modes).
  if (notLoaded.length > 0 && autoload.value === 'no') {
    blocked = true;
    const unreachable = autoload.modules.filter((m) => m.value === 'no').map((m) => m.module);
    notes.push(`the mesh's pod cannot load ${unreachable.join(', ')} (autoload no): load them on the host`);
  } else if (notLoaded.length > 0 && autoload.value === 'unknown') {
    notes.push(`whether the mesh's pod can load ${notLoaded.join(', ')} is unknown (${autoload.reason}): ready assumes it can`);
  }
  const profile = profiles[options.mesh];
  if (requirements.engine === 'iptables' && profile.backendPolicy.caveat && (options.cni ? profile.backendPolicy.cni : profile.backendPolicy.sidecar) !== 'node') {
    notes.push(profile.backendPolicy.caveat);
  }
  if (options.cni && mode.dataplane === 'sidecar' && profile.cniValidation) {
    notes.push(
      `with --cni the ${options.mesh} CNI plugin applies these rules on the host; when it cannot, the ${profile.cniValidation.container} init container fails (exit ${profile.cniValidation.exitCode})`,
    );
  }
  const entry: ModeReadiness & { requirements: Requirements } = {
    mesh: options.mesh,
    dataplane: mode.dataplane,
    backend: mode.backend,
    ...(mode.nativeNftables ? { nativeNftables: true } : {}),
    ready: missing.length === 0 && !blocked,
    missing,
    notLoaded,
    unknown,
    notes,
    autoload: { value: autoload.value, reason: autoload.reason },
    requirements,
  };
  return entry;
}

/** Whether the node's own nft writes the rules: the sidecar CNI plugin runs on the host (istio/istio#57978). */
export function nftOnNode(options: Pick<CheckOptions, 'cni' | 'dataplane'>): boolean {
  return options.cni && options.dataplane === 'sidecar';
}

/** `1.0.0` < `1.0.1` (every component; compareVersions only looks at X.Y). */
export function olderVersion(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}

export interface ModesSectionDeps {
  exec: Exec;
  host: HostRoot;
  /** The mode the checks were run for. */
  selected: ModeSpec;
}

/** The report's `modes` list; with --probe every mode is probed in throwaway namespaces. */
export async function modesSection(facts: Facts, options: CheckOptions, deps: ModesSectionDeps): Promise<ModeReadiness[]> {
  // Modes are independent (each probe has its own namespaces), so they run side by side.
  return Promise.all(meshModes(options).map(async (mode) => {
    const { requirements, ...entry } = await modeReadiness(facts, options, mode);
    const selected = mode.dataplane === deps.selected.dataplane && mode.backend === deps.selected.backend && mode.nativeNftables === deps.selected.nativeNftables;
    if (selected) entry.selected = true;
    if (options.probe && !requirements.unavailable) {
      const result = await probeMode(deps.exec, requirements, { host: deps.host });
      entry.probe = { ok: result.ok, detail: describeProbe(result) };
      const failed = result.steps.some((s) => !s.ok && !s.notFound) || result.iptables.some((r) => r.ran && !r.ok);
      if (failed) entry.ready = false;
    }
    return entry;
  }));
}
