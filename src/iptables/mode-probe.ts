/**
 * The --probe of one mode: applies everything the mesh applies, for real, in throwaway network namespaces,
 * never in the machine's own.
 *
 * - iptables engine: the pod rules with iptables-<backend>-restore (dry-run.ts); for ambient also a second
 *   namespace standing in for the node's own netns, where the ipsets are created first (the SNAT rule
 *   matches them) and then the host rules are restored.
 * - nftables engine: `nft -c -f -` then `nft -f -` of the pod script; the host script in the second
 *   namespace.
 * - ipsets: `ipset create NAME hash:ip family inet|inet6 comment`. Istio creates its set over netlink
 *   (cni/pkg/ipset/nldeps_linux.go), not with the ipset binary; both ask the kernel for the same set type
 *   with the comment extension, so the kernel side is the same test.
 * - policy routing: `ip [-6] rule add fwmark 0x111/0xfff lookup 100 pref 32764` and the table's local
 *   route, in the pod namespace.
 */
import type { Exec, ExecResult } from '../host/exec.ts';
import { commandLine } from '../host/exec.ts';
import type { HostRoot } from '../host/root.ts';
import type { Requirements } from '../core/requirements.types.ts';
import { readLoadedModules } from '../modules/proc-modules.ts';
import { dryRunRules, type DryRunResult } from './dry-run.ts';
import { systemBinary } from '../host/system-binary.ts';
import { addNetns, deleteNetns, execIn, execInNetnsNotFound, netnsFailureReason, randomNetnsName } from './netns.ts';

const STEP_TIMEOUT_MS = 15_000;

/** One command of the probe beyond iptables-restore (ipset, ip rule, nft). */
export interface ProbeStep {
  what: string;
  scope: 'pod' | 'host';
  ok: boolean;
  command: string;
  /** The tool's own error line. */
  error?: string;
  /** The binary is not installed here: the step could not be tested (not a node failure). */
  notFound?: boolean;
}

export interface ModeProbeResult {
  /** The iptables-restore dry-runs (pod and, for ambient, host scope). */
  iptables: DryRunResult[];
  steps: ProbeStep[];
  /** Why nothing (or not everything) could run: no namespace privilege. */
  skipped?: string;
  /** Every step ran and succeeded. */
  ok: boolean;
  modulesLoadedByProbe: string[];
  cleanupErrors: string[];
  /** The throwaway namespaces it created (all deleted unless cleanupErrors says otherwise). */
  namespaces: string[];
  evidence: string[];
}

const firstLine = (r: ExecResult): string | undefined =>
  [r.stderr, r.stdout].flatMap((t) => t.split('\n')).map((l) => l.trim()).find((l) => l !== '') ?? r.error;

async function step(exec: Exec, netns: string, scope: 'pod' | 'host', what: string, file: string, args: string[], input?: string): Promise<ProbeStep> {
  const result = await execIn(exec, netns, file, args, { timeoutMs: STEP_TIMEOUT_MS, ...(input === undefined ? {} : { input }) });
  const command = `${commandLine('ip', ['netns', 'exec', netns, file.replace(/^.*\//, ''), ...args])}${input === undefined ? '' : ' < script'}`;
  if (result.ok) return { what, scope, ok: true, command };
  const notFound = execInNetnsNotFound(result);
  const name = file.replace(/^.*\//, '');
  return { what, scope, ok: false, command, error: notFound ? `${name}: not found` : firstLine(result) ?? 'failed', ...(notFound ? { notFound } : {}) };
}

/** Applies the mode's rules, sets and routes in throwaway namespaces (deleted afterwards). */
export async function probeMode(exec: Exec, req: Requirements, options: { host?: HostRoot } = {}): Promise<ModeProbeResult> {
  const before = options.host ? await readLoadedModules(options.host) : undefined;
  const pod = randomNetnsName('mp-pod-');
  const needsHost = req.engine === 'nftables' ? req.nft?.host !== undefined : Object.keys(req.hostRuleset).length > 0 || req.ipsets.length > 0;
  const host = needsHost ? randomNetnsName('mp-host-') : undefined;
  const evidence: string[] = [];
  const steps: ProbeStep[] = [];
  const iptables: DryRunResult[] = [];
  const cleanupErrors: string[] = [];
  const created: string[] = [];
  let skipped: string | undefined;
  try {
    for (const name of [pod, ...(host ? [host] : [])]) {
      const added = await addNetns(exec, name);
      evidence.push(`$ ip netns add ${name}: ${added.ok ? 'ok' : added.error ?? 'failed'}`);
      if (!added.ok) {
        skipped = netnsFailureReason(added);
        break;
      }
      created.push(name);
    }
    if (skipped === undefined) {
      steps.push(await step(exec, pod, 'pod', 'loopback up', 'ip', ['link', 'set', 'lo', 'up']));
      for (const rule of req.ipRules) {
        const family = rule.family === 'ipv6' ? ['-6'] : ['-4'];
        steps.push(await step(exec, pod, 'pod', `policy routing ${rule.family}`, 'ip', [...family, 'rule', 'add', 'fwmark', rule.fwmark, 'lookup', String(rule.table), 'pref', String(rule.priority)]));
        const local = rule.family === 'ipv6' ? '::/0' : '0.0.0.0/0';
        steps.push(await step(exec, pod, 'pod', `local route table ${rule.table} ${rule.family}`, 'ip', [...family, 'route', 'add', 'local', local, 'dev', 'lo', 'table', String(rule.table)]));
      }
      if (req.engine === 'nftables') {
        for (const [scope, script, netns] of [['pod', req.nft?.pod, pod], ['host', req.nft?.host, host]] as const) {
          if (!script || !netns) continue;
          const nft = systemBinary('nft');
          steps.push(await step(exec, netns, scope, `nft -c (${scope} netns)`, nft, ['-c', '-f', '-'], script));
          if (steps.at(-1)?.ok) steps.push(await step(exec, netns, scope, `nft -f (${scope} netns)`, nft, ['-f', '-'], script));
        }
      } else {
        for (const family of req.families) {
          const rules = req.ruleset[family];
          if (rules) iptables.push(await dryRunRules(exec, { backend: req.backend, family, rules, tables: req.tables[family] ?? [], netns: pod, scope: 'pod' }));
        }
        if (host) {
          for (const set of req.ipsets) {
            const args = ['create', set.name, set.type, 'family', set.family === 'ipv6' ? 'inet6' : 'inet', ...(set.comment ? ['comment'] : [])];
            steps.push(await step(exec, host, 'host', `ipset ${set.name}`, systemBinary('ipset'), args));
          }
          for (const family of req.families) {
            const rules = req.hostRuleset[family];
            if (rules) iptables.push(await dryRunRules(exec, { backend: req.backend, family, rules, tables: req.hostTables[family] ?? [], netns: host, scope: 'host' }));
          }
        }
      }
    }
  } finally {
    for (const name of created) {
      const deleted = await deleteNetns(exec, name);
      if (!deleted?.ok) cleanupErrors.push(`ip netns del ${name}: ${deleted?.error ?? 'failed'}`);
    }
  }
  const after = options.host && before ? await readLoadedModules(options.host) : undefined;
  const modulesLoadedByProbe = before && after ? [...after].filter((m) => !before.has(m)).sort() : [];
  for (const s of steps) evidence.push(`$ ${s.command}: ${s.ok ? 'ok' : s.error}`);
  for (const r of iptables) evidence.push(...r.evidence.map((e) => `[${r.scope ?? 'pod'} ${r.backend} ${r.family}] ${e}`));
  const ok = skipped === undefined && steps.every((s) => s.ok) && iptables.every((r) => r.ok);
  return { iptables, steps, ...(skipped === undefined ? {} : { skipped }), ok, modulesLoadedByProbe, cleanupErrors, namespaces: created, evidence };
}

/** One line: what failed in a probe, or that everything applied. */
export function describeProbe(result: ModeProbeResult): string {
  if (result.skipped) return `not run: ${result.skipped}`;
  const failures = [
    ...result.steps.filter((s) => !s.ok).map((s) => `${s.what}: ${s.error}`),
    ...result.iptables.flatMap((r) =>
      r.skipped ? [`${r.scope ?? 'pod'} ${r.backend} ${r.family}: ${r.skipped}`] : r.tables.filter((t) => !t.ok).map((t) => `${r.scope ?? 'pod'} ${r.backend} ${r.family} table ${t.table}: ${t.errorLine ?? 'failed'}`),
    ),
  ];
  if (failures.length > 0) return failures.join('; ');
  const parts = [
    ...result.iptables.map((r) => `${r.scope ?? 'pod'} ${r.backend}-restore ${r.family} (${r.tables.map((t) => t.table).join(', ')})`),
    ...result.steps.filter((s) => s.what !== 'loopback up').map((s) => s.what),
  ];
  return `applied in throwaway namespaces: ${parts.join(', ')}`;
}
