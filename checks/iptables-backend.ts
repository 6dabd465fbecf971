/**
 * iptables-backend: where the node's rules live (nft / legacy), which backend the mesh init container
 * will program, and whether the two agree. Also catches kernels (6.17+) built without legacy xtables, on
 * which a legacy-mode init container cannot create a single table.
 *
 * Sources: backend detection follows kubernetes-sigs/iptables-wrappers (src/iptables/observe.ts);
 * istio/istio#52357 (istio-init exits 2 when the kernel lacks the legacy modules); istio/istio#57827 (the
 * init container picks iptables-legacy when it works and holds rules, else nft); Linux
 * net/ipv4/netfilter/Kconfig (IP_NF_IPTABLES_LEGACY depends on NETFILTER_XTABLES_LEGACY).
 */
import type { Check, CheckOutcome } from '../src/core/check.ts';
import type { MeshBackendChoice } from '../src/core/facts.ts';
import type { CheckOptions } from '../src/core/options.ts';
import type { RuleBackend } from '../src/core/report.ts';
import type { IptablesObservation } from '../src/iptables/types.ts';
import type { KconfigFacts, KernelFacts } from '../src/modules/types.ts';
import { legacyXtablesAvailable } from '../src/core/iptables-section.ts';

export interface IptablesBackendFacts {
  observation: IptablesObservation;
  mesh: MeshBackendChoice;
  kernel: KernelFacts;
  kconfig: KconfigFacts;
}

/**
 * Whether legacy xtables is there for a legacy-mode init container: rules already in the legacy backend
 * prove it; otherwise the kernel gate of src/core/iptables-section.ts (6.17+ needs
 * CONFIG_NETFILTER_XTABLES_LEGACY). undefined when it cannot be told.
 */
export function legacyUsable(kernel: KernelFacts | undefined, kconfig: KconfigFacts | undefined, observation?: IptablesObservation): boolean | undefined {
  if (observation?.snapshots.some((s) => s.backend === 'legacy' && s.available && s.rules > 0)) return true;
  if (!kernel || !kconfig) return undefined;
  return legacyXtablesAvailable(kernel, kconfig);
}

const other = (b: RuleBackend): RuleBackend => (b === 'nft' ? 'legacy' : 'nft');

/** Evaluates the observed backend against the mesh's (pure). */
export function evaluateIptablesBackend(facts: Partial<IptablesBackendFacts>, options: Pick<CheckOptions, 'mesh'> & { nativeNftables?: boolean }): CheckOutcome {
  const { observation, mesh, kernel, kconfig } = facts;
  const evidence: string[] = [...(observation?.evidence ?? [])];
  if (options.nativeNftables) {
    if (observation) evidence.push(`decision: ${observation.backend} — ${observation.reason}`);
    return {
      status: 'skip',
      summary: `native nftables: the mesh writes nft rules itself and runs no iptables binary, so the iptables backend does not matter (node rules: ${observation?.backend ?? 'not observed'})`,
      evidence: evidence.length > 0 ? evidence : ['--native-nftables'],
      remediation: [],
    };
  }
  if (observation) evidence.push(`decision: ${observation.backend} — ${observation.reason}`);
  if (mesh) evidence.push(`mesh init container backend: ${mesh.backend} (${mesh.source}: ${mesh.reason})`);
  if (kernel?.release) evidence.push(`${kernel.source}: ${kernel.release}`);
  const legacyAvailable = legacyUsable(kernel, kconfig, observation);
  if (legacyAvailable === false && kconfig?.source) {
    const value = kconfig.values.get('CONFIG_NETFILTER_XTABLES_LEGACY');
    evidence.push(`${kconfig.source}: ${value === undefined || value === 'n' ? '# CONFIG_NETFILTER_XTABLES_LEGACY is not set' : `CONFIG_NETFILTER_XTABLES_LEGACY=${value}`}`);
  }

  if (mesh?.backend === 'legacy' && legacyAvailable === false) {
    return {
      status: 'fail',
      summary: `kernel ${kernel?.release ?? ''} has no legacy xtables (CONFIG_NETFILTER_XTABLES_LEGACY not set): a legacy-mode mesh init container cannot work at all here`.replace('  ', ' '),
      evidence,
      remediation: [...nftModeRemediation(options.mesh), 'Or boot a kernel built with CONFIG_NETFILTER_XTABLES_LEGACY=y and CONFIG_IP_NF_IPTABLES_LEGACY=m (CONFIG_IP6_NF_IPTABLES_LEGACY=m for IPv6)', 'mesh-preflight check --backend nft   # then re-check for the nft mode'],
    };
  }
  if (!observation || !mesh) {
    return { status: 'skip', summary: 'iptables backend not observed', evidence: evidence.length > 0 ? evidence : ['no iptables observation or mesh backend was collected'], remediation: [] };
  }
  if (observation.unavailable !== undefined || observation.backend === 'unknown') {
    const missingBinaries = observation.snapshots.length > 0 && observation.snapshots.every((s) => /not found/.test(s.error ?? ''));
    return {
      status: 'skip',
      summary: `cannot tell the node's iptables backend: ${observation.unavailable ?? observation.reason}`,
      evidence,
      remediation: missingBinaries
        ? ['Install iptables with both backends (Debian/Ubuntu: apt-get install iptables; it provides iptables-legacy-save and iptables-nft-save), or run the agent image that ships them']
        : ['Run as root (the DaemonSet needs hostNetwork: true and CAP_NET_ADMIN) so iptables-legacy-save and iptables-nft-save can read the rules'],
    };
  }

  const legacyRules = sumRules(observation, 'legacy');
  const nftRules = sumRules(observation, 'nft');
  const problems: string[] = [];
  const remediation: string[] = [];
  const nodeBackend = observation.backend === 'nft' || observation.backend === 'legacy' ? observation.backend : undefined;
  const describe = `node rules: ${observation.backend} (${observation.reason}); mesh init container: ${mesh.backend}`;

  if (legacyRules > 0 && nftRules > 0) {
    problems.push(`rules in both backends (legacy ${legacyRules}, nft ${nftRules}): split brain — each component sees only its own half, and both halves apply to every packet`);
    remediation.push(
      'iptables-legacy-save | grep -v "^#"   # find which component still writes legacy rules',
      'iptables-nft-save | grep -v "^#"      # and compare with the nft side',
      'Move that component to the node\'s backend (images built on kubernetes-sigs/iptables-wrappers follow the node), then flush the stale backend once nothing writes to it, table by table: iptables-legacy -t <table> -F && iptables-legacy -t <table> -X',
    );
  }
  if (nodeBackend !== undefined && mesh.backend !== nodeBackend) {
    problems.push(
      `the node's rules are in ${nodeBackend} but the mesh init container will program ${mesh.backend}: ${mismatchExplanation(nodeBackend, mesh.backend)}`,
    );
    remediation.push(...(mesh.backend === 'legacy' ? nftModeRemediation(options.mesh) : legacyModeRemediation(options.mesh)), `mesh-preflight check --backend ${nodeBackend}   # re-check for the node's backend`);
  }
  if (problems.length > 0) {
    return { status: 'warn', summary: `${problems.join('; ')} (${describe})`, evidence, remediation };
  }
  if (observation.backend === 'none') {
    const note = observation.hostDefault && observation.hostDefault !== mesh.backend
      ? `; the host's iptables defaults to ${observation.hostDefault}, the mesh will use ${mesh.backend}`
      : '';
    return { status: 'pass', summary: `no iptables rules on the node in either backend; mesh init container: ${mesh.backend}${note}`, evidence, remediation: [] };
  }
  return { status: 'pass', summary: `${describe} — they match`, evidence, remediation: [] };
}

function sumRules(observation: IptablesObservation, backend: RuleBackend): number {
  return observation.snapshots.filter((s) => s.backend === backend && s.available).reduce((n, s) => n + s.rules, 0);
}

function mismatchExplanation(node: RuleBackend, mesh: RuleBackend): string {
  if (node === 'nft' && mesh === 'legacy') {
    return 'an istio/proxyv2 image whose iptables picks legacy on an nft node needs the legacy tables (ip_tables, iptable_nat, ...) that an nft node often has not loaded, and fails with "can\'t initialize iptables table `nat\'" (istio/istio#52357); where it does work, its rules are invisible to iptables-nft-save and to the node\'s tooling';
  }
  return `its rules land in ${mesh} while kube-proxy and the CNI use ${node}; both are evaluated, so interception may work, but the node's ${other(mesh)}-only tooling does not see them and ordering between the two is not defined`;
}

function nftModeRemediation(mesh: CheckOptions['mesh']): string[] {
  return mesh === 'linkerd'
    ? ['helm upgrade linkerd-control-plane linkerd/linkerd-control-plane --reuse-values --set proxyInit.iptablesMode=nft']
    : [
        'istioctl install --set values.global.nativeNftables=true   # Istio 1.27+: native nftables, no iptables-legacy',
        'Or make sure istio-init detects nft: it prefers iptables-legacy whenever it works and holds rules (istio/istio#57827), so remove stale legacy rules (iptables-legacy-save) from the node',
      ];
}

function legacyModeRemediation(mesh: CheckOptions['mesh']): string[] {
  return mesh === 'linkerd'
    ? ['helm upgrade linkerd-control-plane linkerd/linkerd-control-plane --reuse-values --set proxyInit.iptablesMode=legacy']
    : ['Use a proxy image whose iptables runs in legacy mode, or move the node to nft (kube-proxy and CNI) so both agree'];
}

/** The iptables-backend check. */
export const iptablesBackendCheck = {
  id: 'iptables-backend',
  title: 'iptables backend (nft vs legacy)',
  async collect(ctx) {
    const [observation, mesh, kernel, kconfig] = await Promise.all([
      ctx.facts.iptables(),
      ctx.facts.meshBackend(),
      ctx.facts.kernel(),
      ctx.facts.kconfig(),
    ]);
    return { observation, mesh, kernel, kconfig };
  },
  evaluate(facts, options) {
    return evaluateIptablesBackend(facts ?? {}, options);
  },
} satisfies Check<IptablesBackendFacts>;
