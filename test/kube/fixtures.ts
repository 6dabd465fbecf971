/** Report builders for the kube tests (validated through the real ReportSchema). */
import { ReportSchema, verdictOf, type CheckResult, type ModuleReport, type Report } from '../../src/core/report.ts';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKubeNodeApi, resolveKubeConfig, type KubeNodeApi } from '../../src/kube/client.ts';

export function check(id: string, status: CheckResult['status'], summary = `${id} ${status}`): CheckResult {
  return { id, title: id, status, summary, evidence: [`evidence for ${id}`], remediation: status === 'pass' ? [] : [`fix ${id}`] };
}

export function makeReport(opts: { checks?: CheckResult[]; modules?: ModuleReport[]; backend?: 'nft' | 'legacy' | 'mixed' | 'none' | 'unknown'; mesh?: 'istio' | 'linkerd'; generatedAt?: string } = {}): Report {
  const checks = opts.checks ?? [check('modules', 'pass'), check('iptables-backend', 'pass')];
  return ReportSchema.parse({
    schemaVersion: 1,
    node: 'n1',
    mesh: opts.mesh ?? 'istio',
    verdict: verdictOf(checks),
    generatedAt: opts.generatedAt ?? '2025-01-01T00:00:00Z',
    options: { mesh: opts.mesh ?? 'istio', backend: 'auto', dnsCapture: false, interception: 'redirect', ipv6: false, probe: false, hostRoot: '/' },
    kernel: { release: '6.18.0' },
    os: { id: 'debian' },
    checks,
    modules: opts.modules ?? [{ name: 'xt_REDIRECT', state: 'builtin', source: 'modules.builtin' }],
    iptables: {
      backend: opts.backend ?? 'nft',
      meshBackend: 'nft',
      meshBackendSource: 'auto',
      modes: [{ backend: 'nft', ready: true, missing: [], notLoaded: [] }],
    },
  });
}

export const notReadyReport = () =>
  makeReport({
    checks: [check('modules', 'fail', 'xt_owner missing'), check('iptables-backend', 'pass')],
    modules: [{ name: 'xt_owner', state: 'missing', source: '/proc/modules', requiredFor: ['-m owner'] }],
  });

/** A fake API server with node n1, a kubeconfig file for it, and our client loaded from that file. */
export async function fakeWithClient(opts: Parameters<typeof FakeApiServer.start>[0] = {}): Promise<{ fake: FakeApiServer; api: KubeNodeApi; kubeconfig: string }> {
  const fake = await FakeApiServer.start(opts);
  fake.addNode({
    metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'team': 'payments' }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  });
  const dir = await mkdtemp(join(tmpdir(), 'mp-kube-'));
  const kubeconfig = await fake.writeKubeconfig(dir);
  const resolved = resolveKubeConfig({ kubeconfig, env: {} });
  if (!resolved) throw new Error('kubeconfig not resolved');
  return { fake, api: createKubeNodeApi(resolved, { timeoutMs: 2000, watchTimeoutSeconds: 30 }), kubeconfig };
}
