import test from 'ava';
import { cp, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { HostRoot } from '../../src/host/root.ts';
import { parsePodDir, scanInitContainerLogs } from '../../src/logscan/scan.ts';
import { meshAgentOf } from '../../src/core/mesh-agents.ts';
import { InitContainerFindingSchema } from '../../src/core/report.ts';
import { checkOptions } from '../../src/core/options.ts';
import { findingsOf, initContainersCheck, type InitContainersFacts } from '../../checks/init-containers.ts';
import type { CheckContext } from '../../src/core/check.ts';
import type { Facts } from '../../src/core/facts.ts';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/var-log-pods');
const host = new HostRoot(FIXTURE);

test('pod directory names split into namespace, pod and uid', (t) => {
  t.deepEqual(parsePodDir('default_web-1_1234-ab'), { namespace: 'default', pod: 'web-1', podUid: '1234-ab' });
  t.is(parsePodDir('nounderscores'), undefined);
});

test('scan finds the newest failure of each mesh init container, and nothing else', async (t) => {
  const scan = await scanInitContainerLogs(host, { agents: [] });
  t.true(scan.podsDirPresent);
  const byPod = Object.fromEntries(scan.findings.map((s) => [`${s.finding.pod}/${s.finding.container}`, s]));
  t.deepEqual(Object.keys(byPod).sort(), ['linkerd-destination-6b9c/linkerd-init', 'reviews-v1-7d9f8c/istio-init', 'web-5f6d9/istio-validation']);
  for (const s of scan.findings) t.notThrows(() => InitContainerFindingSchema.parse(s.finding));

  const reviews = byPod['reviews-v1-7d9f8c/istio-init']!;
  t.is(reviews.finding.restartCount, 1, 'newest restart wins');
  t.is(reviews.finding.table, 'raw', 'partial CRI line was joined');
  t.deepEqual(reviews.finding.modules, ['iptable_raw', 'ip_tables']);
  t.true(reviews.finding.nodeProblem);
  t.is(reviews.finding.source, 'log-scan');
  t.is(reviews.finding.observedAt, '2024-05-01T10:05:00.300000000Z');
  t.is(reviews.file, '/var/log/pods/default_reviews-v1-7d9f8c_0a1b2c3d-0000-4000-8000-000000000001/istio-init/1.log');

  const linkerd = byPod['linkerd-destination-6b9c/linkerd-init']!;
  t.is(linkerd.finding.category, 'iptables-backend-mismatch', 'read from the rotated part since the live file is empty');
  t.regex(linkerd.file, /0\.log\.20240501-120000$/);

  const web = byPod['web-5f6d9/istio-validation']!;
  t.is(web.finding.category, 'config-error');
  t.false(web.finding.nodeProblem);
});

test('extra init container names are scanned too', async (t) => {
  const scan = await scanInitContainerLogs(host, { extraContainers: ['my-init'] });
  t.true(scan.findings.some((s) => s.finding.container === 'my-init' && s.finding.modules.includes('xt_owner')));
});

test('caps: a file cap stops reading and says so; the byte cap reads the tail', async (t) => {
  const capped = await scanInitContainerLogs(host, { maxFiles: 1 });
  t.is(capped.filesRead, 1);
  t.true(capped.truncated);
  const tail = await scanInitContainerLogs(host, { maxBytesPerFile: 300 });
  t.true(tail.findings.length >= 1);
});

test('gzip-rotated files and an absent pods dir', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'scan-'));
  const dir = path.join(root, 'var/log/pods/ns_p_u/istio-init');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, '0.log'), '');
  await writeFile(path.join(dir, '0.log.20240101-000000.gz'), gzipSync("2024-01-01T00:00:00Z stderr F iptables-restore: unable to initialize table 'nat'\n"));
  const scan = await scanInitContainerLogs(new HostRoot(root));
  t.is(scan.findings[0]?.finding.table, 'nat');
  const none = await scanInitContainerLogs(new HostRoot(await mkdtemp(path.join(tmpdir(), 'empty-'))));
  t.deepEqual(none, { podsDirPresent: false, findings: [], filesRead: 0, truncated: false });
});

function ctx(root: HostRoot, now: string, meshBackend?: () => Promise<never>): CheckContext {
  const facts = { meshBackend: meshBackend ?? (async () => ({ backend: 'legacy', source: 'auto', reason: 'test' })) } as unknown as Facts;
  return { options: checkOptions({ initContainers: ['my-init'] }), host: root, exec: (async () => { throw new Error('no exec'); }) as never, facts, now: () => new Date(now) };
}

test('check: fail on a recent node failure, with pod/container and the line in evidence', async (t) => {
  const facts = await initContainersCheck.collect(ctx(host, '2024-05-01T14:00:00Z'));
  const out = initContainersCheck.evaluate(facts);
  t.is(out.status, 'fail');
  t.regex(out.summary, /explained by this node/);
  t.true(out.evidence.some((e) => e.startsWith('default/reviews-v1-7d9f8c istio-init [missing-iptables-table]: ') && e.includes("table 'raw'")));
  t.true(out.remediation.some((r) => r.includes('modprobe iptable_raw ip_tables')));
  t.is(findingsOf(facts).length, 6, 'four init containers and two node agents');
});

test('check: old node failures and config errors only warn; none pass; no dir skips', async (t) => {
  const facts = await initContainersCheck.collect(ctx(host, '2024-06-01T00:00:00Z', async () => { throw new Error('no backend'); }));
  t.is(facts.backend, undefined);
  t.is(initContainersCheck.evaluate(facts).status, 'warn');
  const configOnly: InitContainersFacts = { ...facts, findings: facts.findings.filter((f) => !f.finding.nodeProblem), scannedAt: '2024-05-01T11:00:02Z' };
  t.is(initContainersCheck.evaluate(configOnly).status, 'warn');
  t.is(initContainersCheck.evaluate({ ...facts, findings: [] }).status, 'pass');
  const skip = initContainersCheck.evaluate({ ...facts, podsDirPresent: false, findings: [] });
  t.is(skip.status, 'skip');
  t.regex(skip.summary, /\/var\/log\/pods is absent/);
});

test('check id equals the file name', (t) => {
  t.is(initContainersCheck.id, 'init-containers');
});

test('the istio-cni node agent and ztunnel are followed too; a sidecar named istio-proxy is not', async (t) => {
  const scan = await scanInitContainerLogs(host);
  const byPod = Object.fromEntries(scan.findings.map((s) => [`${s.finding.pod}/${s.finding.container}`, s]));
  t.deepEqual(Object.keys(byPod).sort(), [
    'istio-cni-node-x7k2p/install-cni',
    'linkerd-destination-6b9c/linkerd-init',
    'reviews-v1-7d9f8c/istio-init',
    'web-5f6d9/istio-validation',
    'ztunnel-9zq4m/istio-proxy',
  ]);
  const cni = byPod['istio-cni-node-x7k2p/install-cni']!.finding;
  t.like(cni, { namespace: 'istio-system', category: 'missing-kernel-module', nodeProblem: true, source: 'log-scan' });
  t.true(cni.modules.includes('ip_set'));
  t.regex(cni.matchedLine, /invalid comment/);
  const ztunnel = byPod['ztunnel-9zq4m/istio-proxy']!;
  t.like(ztunnel.finding, { category: 'insufficient-privileges', nodeProblem: false, restartCount: 0 });
  t.regex(ztunnel.file, /istio-proxy\/0\.log$/, 'the current run has written nothing: its crashed run is read');
});

test('an agent is a container of its DaemonSet\'s pods only', (t) => {
  t.is(meshAgentOf('ztunnel-9zq4m', 'istio-proxy')?.daemonSet, 'ztunnel');
  t.is(meshAgentOf('istio-cni-node-x7k2p', 'install-cni')?.daemonSet, 'istio-cni-node');
  t.is(meshAgentOf('productpage-v1-7f9c', 'istio-proxy'), undefined);
  t.is(meshAgentOf('ztunnel-client-5d8f7c9b4-abcde', 'istio-proxy'), undefined, 'a Deployment pod whose name starts with ztunnel-');
  t.is(meshAgentOf('istio-cni-node-x7k2p', 'istio-proxy'), undefined);
});
