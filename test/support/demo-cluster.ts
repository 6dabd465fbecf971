/**
 * A small cluster in the fake API server for the kubectl plugin's tests and the README's examples:
 * nodes whose agents published real reports through NodePublisher (ready, not ready, degraded), nodes
 * no agent has checked, and a pod whose istio-init sits in Init:CrashLoopBackOff with the log of
 * istio/istio#28897 (test/fixtures/logs/istio-28897-restore-nat.log).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportSchema, verdictOf, type CheckResult, type ModuleReport, type Report } from '../../src/core/report.ts';
import { createKubeNodeApi, resolveKubeConfig } from '../../src/kube/client.ts';
import { NodePublisher } from '../../src/kube/publisher.ts';
import { FakeApiServer } from './fake-apiserver.ts';

// istio/istio#28897, the istio-init log quoted in that issue.
export const ISTIO_28897_LOG = `iptables-restore --noflush /tmp/iptables-rules-1605323206851298933.txt962677351
iptables-restore v1.6.1: iptables-restore: unable to initialize table 'nat'

Error occurred at line: 1
Try \`iptables-restore -h' or 'iptables-restore --help' for more information.
iptables-save 
panic: exit status 2
`;

const check = (id: string, status: CheckResult['status'], summary: string): CheckResult => ({
  id,
  title: id,
  status,
  summary,
  evidence: [],
  remediation: status === 'pass' ? [] : [`fix ${id}`],
});

function report(node: string, at: string, opts: { checks: CheckResult[]; modules?: ModuleReport[]; backend: 'nft' | 'legacy' }): Report {
  return ReportSchema.parse({
    schemaVersion: 1,
    node,
    mesh: 'istio',
    verdict: verdictOf(opts.checks),
    generatedAt: at,
    options: { mesh: 'istio', backend: 'auto', dnsCapture: false, interception: 'redirect', ipv6: false, probe: false, hostRoot: '/' },
    kernel: { release: '6.1.0-27-amd64' },
    os: { id: 'debian' },
    checks: opts.checks,
    modules: opts.modules ?? [],
    iptables: { backend: opts.backend, meshBackend: opts.backend, meshBackendSource: 'auto', modes: [{ backend: opts.backend, ready: true, missing: [], notLoaded: [] }] },
  });
}

const pass = (id: string) => check(id, 'pass', `${id} ok`);

/** Starts a fake API server holding the demo cluster; `at` is when the agents checked. */
export async function startDemoCluster(at = new Date()): Promise<{ fake: FakeApiServer; kubeconfig: string }> {
  const fake = await FakeApiServer.start();
  const base = (name: string, extra: Record<string, string> = {}) => ({
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...extra } },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  });
  fake.addNode(base('control-plane-1', { 'node-role.kubernetes.io/control-plane': '' }));
  for (const name of ['worker-1', 'worker-2', 'worker-3', 'worker-4']) fake.addNode(base(name, { 'node-role.kubernetes.io/worker': '' }));
  const kubeconfig = await fake.writeKubeconfig(await mkdtemp(join(tmpdir(), 'mp-demo-')));
  const api = createKubeNodeApi(resolveKubeConfig({ kubeconfig, env: {} })!, { timeoutMs: 5000 });
  const when = new Date(at.getTime() - 12 * 60_000);
  const publish = (node: string, r: Report) => new NodePublisher(api, { nodeName: node, catchUpIntervalMs: 0, now: () => when }).publish(r);
  const iso = when.toISOString();
  await publish('worker-1', report('worker-1', iso, { backend: 'nft', checks: [pass('kernel'), pass('modules'), pass('iptables-backend'), pass('sysctl')] }));
  await publish(
    'worker-2',
    report('worker-2', iso, {
      backend: 'legacy',
      checks: [pass('kernel'), check('modules', 'fail', 'iptable_nat is missing'), pass('iptables-backend'), pass('sysctl')],
      modules: [
        { name: 'iptable_nat', state: 'missing', source: 'config: # CONFIG_IP_NF_NAT is not set', requiredFor: ['-t nat'] },
        { name: 'ip_tables', state: 'loaded', source: '/proc/modules', requiredFor: ['-t nat'] },
      ],
    }),
  );
  await publish(
    'worker-3',
    report('worker-3', iso, {
      backend: 'nft',
      checks: [pass('kernel'), pass('modules'), pass('iptables-backend'), check('sysctl', 'warn', 'br_netfilter is not loaded')],
    }),
  );
  fake.addPod({
    metadata: { name: 'web-7f9c-x2x', namespace: 'shop', labels: { app: 'web', 'security.istio.io/tlsMode': 'istio' } },
    spec: { nodeName: 'worker-2', initContainers: [{ name: 'istio-init' }], containers: [{ name: 'web' }, { name: 'istio-proxy' }] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'istio-init',
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 2, reason: 'Error', finishedAt: iso } },
        },
      ],
      containerStatuses: [
        { name: 'web', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        { name: 'istio-proxy', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
      ],
    },
  });
  fake.setPodLog('shop', 'web-7f9c-x2x', 'istio-init', ISTIO_28897_LOG, { previous: true });
  fake.setPodLog('shop', 'web-7f9c-x2x', 'istio-init', '');
  fake.clearRequests();
  return { fake, kubeconfig };
}
