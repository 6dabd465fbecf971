/** Report objects shaped like real hosts, temp host roots and a recording fake exec for the fix tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReportSchema, type ModuleReport, type Report, type Verdict } from '../../src/core/report.ts';
import type { Exec, ExecResult } from '../../src/host/exec.ts';
import type { OsInfo } from '../../src/host/os-family.ts';

/** A schema-valid report with these modules (parsed through ReportSchema, so it is what a check emits). */
export function report(modules: Partial<ModuleReport>[], extra: { verdict?: Verdict; release?: string; hostRoot?: string } = {}): Report {
  return ReportSchema.parse({
    schemaVersion: 1,
    node: 'node-1',
    mesh: 'istio',
    verdict: extra.verdict ?? 'not-ready',
    generatedAt: '2025-01-01T00:00:00.000Z',
    options: { mesh: 'istio', backend: 'auto', dnsCapture: false, interception: 'redirect', ipv6: false, probe: false, hostRoot: extra.hostRoot ?? '/' },
    kernel: { release: extra.release ?? '4.18.0-348.7.1.el8_5.x86_64' },
    os: {},
    checks: [],
    modules: modules.map((m) => ({ source: '/proc/modules', requiredFor: [], ...m })),
  });
}

/** CentOS 8 runbook case (Istio on RHEL-8 kernels): the iptables tables are modules not yet loaded. */
export function centos8Report(verdict: Verdict = 'not-ready'): Report {
  return report(
    [
      { name: 'iptable_nat', state: 'loadable', source: 'modules.dep: kernel/net/ipv4/netfilter/iptable_nat.ko.xz', requiredFor: ['nat table'] },
      { name: 'iptable_mangle', state: 'loadable', source: 'modules.dep: kernel/net/ipv4/netfilter/iptable_mangle.ko.xz', requiredFor: ['mangle table'] },
      { name: 'iptable_filter', state: 'loadable', source: 'modules.dep: kernel/net/ipv4/netfilter/iptable_filter.ko.xz', requiredFor: ['filter table'] },
      { name: 'xt_REDIRECT', state: 'loaded', source: '/proc/modules', requiredFor: ['REDIRECT target'] },
      { name: 'xt_owner', state: 'loaded', source: '/proc/modules', requiredFor: ['owner match'] },
      { name: 'nf_nat', state: 'loaded', source: '/proc/modules', requiredFor: ['nat'] },
    ],
    { verdict },
  );
}

export const ALLOWED: ReadonlySet<string> = new Set([
  'iptable_nat', 'iptable_mangle', 'iptable_filter', 'iptable_raw', 'ip6table_nat', 'ip6table_mangle',
  'xt_REDIRECT', 'xt_owner', 'xt_conntrack', 'xt_mark', 'xt_TPROXY', 'xt_socket', 'xt_multiport', 'nf_nat',
  'nf_conntrack', 'nft_compat', 'nf_tables', 'no_such_mod',
]);

export const CENTOS8: OsInfo = { id: 'centos', versionId: '8', family: 'rhel', major: 8 };
export const DEBIAN12: OsInfo = { id: 'debian', versionId: '12', family: 'debian', major: 12 };

const created: string[] = [];

/** A fresh temp directory (a host root or module tree), removed by removeTempRoots. */
export async function tempRoot(prefix = 'mesh-preflight-fix-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory tempRoot made in this test file (register with test.after.always). */
export async function removeTempRoots(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface RecordingExec {
  exec: Exec;
  calls: { file: string; args: string[] }[];
}

/** An exec that records calls and answers from `respond` (default: success). */
export function recordingExec(respond: (file: string, args: readonly string[]) => Partial<ExecResult> = () => ({})): RecordingExec {
  const calls: { file: string; args: string[] }[] = [];
  const exec: Exec = async (file, args) => {
    calls.push({ file, args: [...args] });
    const r = respond(file, args);
    const ok = r.ok ?? true;
    return { file, args: [...args], exitCode: ok ? 0 : 1, stdout: '', stderr: '', ok, timedOut: false, notFound: false, ...r };
  };
  return { exec, calls };
}
