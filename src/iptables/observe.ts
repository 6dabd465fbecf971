/**
 * Where the node's iptables rules live: runs `iptables-legacy-save` and `iptables-nft-save` (plus the
 * ip6tables variants with --ipv6) and decides the backend the way kubernetes-sigs/iptables-wrappers does.
 *
 * Locking: iptables-save has no `-w` (neither variant accepts it: `iptables-legacy-save -w` → "invalid option
 * -- 'w'"). The legacy save only reads the tables through getsockopt and takes no lock; nft reads a netlink
 * dump of one ruleset generation. So saving never waits on, or blocks, /run/xtables.lock, the flock file
 * that kube-proxy, kubelet and the mesh's init containers share with every `iptables -w` on the host.
 */
import type { Exec, ExecResult } from '../host/exec.ts';
import { commandLine } from '../host/exec.ts';
import type { ObservedBackend, RuleBackend } from '../core/report.ts';
import type { Family } from '../core/requirements.types.ts';
import { parseIptablesSave, tableNames, type IptablesSave } from '../host/parse/iptables-save.ts';
import type { BackendSnapshot, IptablesObservation } from './types.ts';
import { execIn, execInNetnsNotFound, inNetns } from './netns.ts';
import { readHostIptablesDefault, versionFromSaveHeader } from './host-default.ts';
import type { HostRoot } from '../host/root.ts';

export interface ObserveOptions {
  ipv6: boolean;
  /** Observe this network namespace (`ip netns exec NAME ...`) instead of the current one; for tests. */
  netns?: string;
  timeoutMs?: number;
  /** Where to read the host's own `iptables` link chain (its default backend); none: not read. */
  host?: HostRoot;
  /** The save binaries run are the host's own, so their header's version is the host's (default: the host root is `/`). */
  savesFromHost?: boolean;
}

export interface BackendDecision {
  backend: ObservedBackend;
  reason: string;
  unavailable?: string;
}

const SAVE_TIMEOUT_MS = 10_000;
const BACKENDS: readonly RuleBackend[] = ['legacy', 'nft'];

/** The save binary for one backend and family: `iptables-nft-save`, `ip6tables-legacy-save`, ... */
export function saveBinary(backend: RuleBackend, family: Family): string {
  return `${family === 'ipv6' ? 'ip6tables' : 'iptables'}-${backend}-save`;
}

/** Reads both backends' rules (and the host default) and decides where the node's rules live. */
export async function observeIptables(exec: Exec, options: ObserveOptions): Promise<IptablesObservation> {
  const families: Family[] = options.ipv6 ? ['ipv4', 'ipv6'] : ['ipv4'];
  const timeoutMs = options.timeoutMs ?? SAVE_TIMEOUT_MS;
  const runs = families.flatMap((family) => BACKENDS.map((backend) => ({ family, backend })));
  // Only the saves are spawned: the host's default comes from its files (host-default.ts).
  const [hostIptables, ...saves] = await Promise.all([
    options.host ? readHostIptablesDefault(options.host) : Promise.resolve(undefined),
    ...runs.map(({ family, backend }) => execIn(exec, options.netns, saveBinary(backend, family), [], { timeoutMs })),
  ]);
  const snapshots: BackendSnapshot[] = [];
  const evidence: string[] = [];
  runs.forEach(({ family, backend }, i) => {
    const result = saves[i]!;
    const { snapshot, parsed } = toSnapshot(backend, family, result);
    snapshots.push(snapshot);
    evidence.push(describeSnapshot(snapshot, parsed, result));
  });
  const hostDefault = hostIptables?.backend;
  if (hostIptables) evidence.push(hostIptables.evidence);
  const savesFromHost = options.savesFromHost ?? options.host?.root === '/';
  const hostVersion = hostDefault === undefined || !savesFromHost ? undefined : versionOf(hostDefault, runs.map((run, i) => ({ ...run, result: saves[i]! })));
  const decision = decideBackend(snapshots, hostDefault);
  return {
    backend: decision.backend,
    reason: decision.reason,
    evidence,
    snapshots,
    hostVersion,
    hostDefault,
    ...(decision.unavailable === undefined ? {} : { unavailable: decision.unavailable }),
  };
}

/**
 * `iptables v1.8.9 (nf_tables)` for the host default, the version taken from the header of that backend's
 * save output (the same multi-call binary); undefined when no save printed one (no tables to save).
 */
function versionOf(backend: RuleBackend, saves: ReadonlyArray<{ backend: RuleBackend; result: ExecResult }>): string | undefined {
  const version = saves.filter((s) => s.backend === backend && s.result.ok).map((s) => versionFromSaveHeader(s.result.stdout)).find((v) => v !== undefined);
  return version === undefined ? undefined : `iptables v${version} (${backend === 'nft' ? 'nf_tables' : 'legacy'})`;
}

/**
 * Decides the node's backend from save snapshots, following kubernetes-sigs/iptables-wrappers:
 * 1. kubelet's canary chains (KUBE-IPTABLES-HINT / KUBE-KUBELET-CANARY) decide, nft checked first
 *    (pkg/xtables/detect.go, `DetectMode`: "check that first, against iptables-nft ... it's more common").
 * 2. Otherwise rule counts (`grep '^-' | wc -l` of legacy vs nft save output, iptables-wrapper-installer.sh
 *    v2). Where the wrapper breaks a tie or a split by picking the larger count, we report `mixed` when both
 *    hold rules — that split is itself the finding — and `none` when neither does.
 * A snapshot that failed for lack of privilege makes the answer `unknown`: the other backend alone could
 * be misleading. A missing binary (RHEL 8+ ship no iptables-legacy) only removes that backend.
 */
export function decideBackend(snapshots: readonly BackendSnapshot[], hostDefault?: RuleBackend): BackendDecision {
  const usable = snapshots.filter((s) => s.available);
  const failed = snapshots.filter((s) => !s.available);
  const denied = failed.filter((s) => isPrivilegeError(s.error));
  if (denied.length > 0) {
    const why = denied.map((s) => `${s.command}: ${s.error}`).join('; ');
    return { backend: 'unknown', reason: `not privileged to read all iptables rules (${why})`, unavailable: `no privilege to read iptables rules (run as root with CAP_NET_ADMIN, hostNetwork): ${why}` };
  }
  if (usable.length === 0) {
    const why = failed.map((s) => `${s.command}: ${s.error ?? 'failed'}`).join('; ');
    return { backend: 'unknown', reason: `no iptables save command could run (${why || 'none attempted'})`, unavailable: why || 'no iptables save command attempted' };
  }
  const missing = failed.length === 0 ? '' : `; not read: ${failed.map((s) => `${s.command} (${s.error ?? 'failed'})`).join(', ')}`;
  for (const backend of ['nft', 'legacy'] as const) {
    const withCanary = usable.filter((s) => s.backend === backend && s.canary);
    if (withCanary.length > 0) {
      const families = withCanary.map((s) => s.family).join(', ');
      return { backend, reason: `kubelet canary chain (KUBE-IPTABLES-HINT/KUBE-KUBELET-CANARY) found in ${backend} (${families}): kubelet programs ${backend}${missing}` };
    }
  }
  const legacyRules = sum(usable.filter((s) => s.backend === 'legacy').map((s) => s.rules));
  const nftRules = sum(usable.filter((s) => s.backend === 'nft').map((s) => s.rules));
  const counts = `legacy ${legacyRules}, nft ${nftRules} rules`;
  if (legacyRules > 0 && nftRules > 0) {
    return { backend: 'mixed', reason: `rules in both backends (${counts}) and no kubelet canary chain decides${missing}` };
  }
  if (legacyRules > 0) return { backend: 'legacy', reason: `rules only in legacy (${counts}), no kubelet canary chain${missing}` };
  if (nftRules > 0) return { backend: 'nft', reason: `rules only in nft (${counts}), no kubelet canary chain${missing}` };
  const fallback = hostDefault === undefined ? 'the host default iptables backend is unknown' : `the host's iptables defaults to ${hostDefault}`;
  return { backend: 'none', reason: `no rules in either backend; ${fallback}${missing}` };
}

/** The snapshot's error says the process lacked privilege (not root / no CAP_NET_ADMIN). */
export function isPrivilegeError(error: string | undefined): boolean {
  return error !== undefined && /Permission denied|Operation not permitted|must be root/i.test(error);
}

function toSnapshot(backend: RuleBackend, family: Family, result: ExecResult): { snapshot: BackendSnapshot; parsed?: IptablesSave } {
  const [file, args] = [result.file, result.args];
  const command = commandLine(file, args);
  const notFound = execInNetnsNotFound(result);
  if (!result.ok || notFound) {
    const error = notFound ? `${args.at(-1) ?? file}: not found` : saveError(result);
    return { snapshot: { backend, family, available: false, rules: 0, tables: [], canary: false, command, error } };
  }
  // The nft warning about legacy tables goes to stderr; parse both streams' comments.
  const parsed = parseIptablesSave(`${result.stdout}\n${commentLines(result.stderr)}`);
  return {
    parsed,
    snapshot: { backend, family, available: true, rules: parsed.rules, tables: tableNames(parsed), canary: parsed.canaries.length > 0, command },
  };
}

function saveError(result: ExecResult): string {
  const line = firstLine(result.stderr);
  if (result.timedOut) return `timed out`;
  return line ?? result.error ?? `exit ${result.exitCode ?? 'signal'}`;
}

function describeSnapshot(snapshot: BackendSnapshot, parsed: IptablesSave | undefined, result: ExecResult): string {
  const prefix = `$ ${snapshot.command}`;
  if (!snapshot.available || !parsed) return `${prefix}: ${snapshot.error ?? 'failed'}`;
  const perTable = parsed.tables.map((t) => `${t.name} ${t.rules}`).join(', ');
  const parts = [`${snapshot.rules} rule${snapshot.rules === 1 ? '' : 's'}${perTable ? ` (${perTable})` : ''}`];
  if (parsed.canaries.length > 0) parts.push(`canary ${parsed.canaries.map((c) => `:${c.chain} in ${c.table}`).join(', ')}`);
  if (parsed.legacyTablesPresent) {
    const warning = `${result.stdout}\n${result.stderr}`.split('\n').find((l) => /Warning: iptables-legacy tables present/.test(l));
    if (warning) parts.push(warning.trim());
  }
  return `${prefix}: ${parts.join('; ')}`;
}

function commentLines(text: string): string {
  return text.split('\n').filter((l) => l.trim().startsWith('#')).join('\n');
}

function firstLine(text: string): string | undefined {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '');
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** For evidence: how a save command is run, with the namespace prefix when there is one. */
export function saveCommand(backend: RuleBackend, family: Family, netns?: string): string {
  const [file, args] = inNetns(netns, saveBinary(backend, family), []);
  return commandLine(file, args);
}
