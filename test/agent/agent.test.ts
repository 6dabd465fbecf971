/**
 * The agent end to end against the in-process fake API server (test/support/fake-apiserver.ts — a fake,
 * not a kube-apiserver), reached through @kubernetes/client-node with a real kubeconfig file, checking
 * fixture host roots. Also derives the agent's RBAC needs from the fake's request log.
 */
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAgent, type AgentSettings, type RunningAgent } from '../../src/agent/agent.ts';
import { ReportSchema } from '../../src/core/report.ts';
import { CONDITION_TYPE } from '../../src/kube/node-status.ts';
import { auditClusterRole, describeAttributes, type RecordedRequest } from '../daemonset/rbac.ts';
import { agentSettings, fixtureCheck } from '../helpers/agent.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';
import { fakeWithClient } from '../kube/fixtures.ts';
import type { FakeApiServer, LoggedRequest } from '../support/fake-apiserver.ts';
import { parse as parseYaml } from 'yaml';
import { CLI_PATH } from '../helpers/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = CLI_PATH;

/** Every request the agent made in this file, for the RBAC derivation at the end. */
const recorded: LoggedRequest[] = [];

const settings = agentSettings;

async function withAgent(
  t: { teardown(fn: () => unknown): void },
  host: { current: string },
  overrides: Partial<AgentSettings> = {},
  fakeOptions: Parameters<typeof fakeWithClient>[0] = {},
): Promise<{ fake: FakeApiServer; agent: RunningAgent; kubeconfig: string }> {
  const { fake, api, kubeconfig } = await fakeWithClient({ users: { 'good-token': { username: 'system:serviceaccount:ops:tool' } }, ...fakeOptions });
  const agent = await startAgent(settings(overrides), {
    kube: api,
    check: fixtureCheck(host),
    log: () => undefined,
    publisherRetryDelayMs: { min: 10, max: 50, catchUp: 100 },
  });
  t.teardown(async () => {
    await agent.stop();
    recorded.push(...fake.requests);
    await fake.close();
  });
  return { fake, agent, kubeconfig };
}

async function until(condition: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const labels = (fake: FakeApiServer) => fake.getNode('n1')!.metadata.labels as Record<string, string>;
const condition = (fake: FakeApiServer) =>
  (fake.getNode('n1')!.status.conditions as { type: string; status: string; reason: string }[]).find((c) => c.type === CONDITION_TYPE);
const nodePatches = (fake: FakeApiServer) => fake.requestsMatching('PATCH', /^\/api\/v1\/nodes\/n1/);

test('labels, annotation and condition appear after the first run; a host that turns broken flips ready to false', async (t) => {
  const host = { current: 'talos' };
  const { fake, agent } = await withAgent(t, host);
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'true' && condition(fake)?.status === 'True');
  t.like(labels(fake), { 'mesh-preflight.io/ready': 'true', 'mesh-preflight.io/iptables-backend': 'nft', 'mesh-preflight.io/mesh': 'istio', team: 'payments' });
  t.like(condition(fake), { status: 'True', reason: 'MeshInterceptionReady' });
  const annotation = JSON.parse(fake.getNode('n1')!.metadata.annotations['mesh-preflight.io/report']);
  t.is(annotation.verdict, 'ready');

  await until(() => !agent.runner.busy());
  host.current = 'lacks-module';
  await agent.runNow();
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'false');
  t.like(condition(fake), { status: 'False', reason: 'MeshInterceptionNotReady' });
  t.true(JSON.parse(fake.getNode('n1')!.metadata.annotations['mesh-preflight.io/report']).missingModules.includes('xt_owner'));
  t.is(labels(fake)['team'], 'payments', 'foreign labels survive');
  t.is(fake.getNode('n1')!.status.conditions[0].type, 'Ready', "the kubelet's condition is untouched");
});

test('the condition is Unknown until the first check has finished', async (t) => {
  const { fake, api } = await fakeWithClient();
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const agent = await startAgent(settings(), {
    kube: api,
    log: () => undefined,
    check: async (options, deps) => {
      await gate;
      return fixtureCheck({ current: 'talos' })(options, deps);
    },
  });
  t.teardown(async () => {
    await agent.stop();
    recorded.push(...fake.requests);
    await fake.close();
  });
  await until(() => condition(fake) !== undefined);
  t.like(condition(fake), { status: 'Unknown', reason: 'NotYetChecked' });
  t.is(labels(fake)['mesh-preflight.io/ready'], undefined, 'never labelled ready before it was checked');
  const readyz = await fetch(`${agent.url}/readyz`);
  t.is(readyz.status, 503);
  release();
  await until(() => condition(fake)?.status === 'True');
  t.is((await fetch(`${agent.url}/readyz`)).status, 200);
});

test('an unchanged node causes no write over several intervals', async (t) => {
  const { fake, agent } = await withAgent(t, { current: 'talos' }, { intervalMs: 1000 });
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'true');
  await until(() => !agent.runner.busy());
  const before = nodePatches(fake).length;
  for (let i = 0; i < 5; i += 1) await agent.runNow();
  await new Promise((resolve) => setTimeout(resolve, 1500)); // at least one scheduled interval too
  t.is(nodePatches(fake).length, before, 'no PATCH when nothing changed');
  t.true(fake.requestsMatching('GET', '/api/v1/nodes/n1').length >= 6, 'it did compare with the node each time');
});

test('API server down at start: the API is still served, and the node is written once it is back', async (t) => {
  const { fake, agent } = await withAgent(t, { current: 'talos' }, {}, {});
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'true');
  // Now the API server goes away, the node changes, the agent keeps serving.
  await fake.stop();
  fake.updateNode('n1', (node) => {
    delete node.metadata.labels['mesh-preflight.io/ready'];
  });
  const report = await agent.runNow();
  t.is(report.verdict, 'ready');
  const served = await fetch(`${agent.url}/v1/report`);
  t.is(served.status, 200);
  ReportSchema.parse(await served.json());
  t.is((await fetch(`${agent.url}/healthz`)).status, 200);
  await fake.start();
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'true', 30_000);
  t.pass('caught up after the API server returned');
});

test('a 409 on the label write is retried', async (t) => {
  const host = { current: 'talos' };
  const { fake, agent } = await withAgent(t, host);
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'true');
  fake.fail({ method: 'PATCH', path: '/api/v1/nodes/n1', status: 409, times: 1 });
  await until(() => !agent.runner.busy());
  host.current = 'lacks-module';
  await agent.runNow();
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'false');
  const statuses = fake.requestsMatching('PATCH', '/api/v1/nodes/n1').map((r) => r.status);
  t.true(statuses.includes(409));
  t.is(statuses.at(-1), 200);
});

test('routes on the running agent: report, one check, nodes, metrics, recheck with a TokenReview', async (t) => {
  const { fake, agent } = await withAgent(t, { current: 'lacks-module' });
  fake.addNode({ metadata: { name: 'n2', labels: { 'mesh-preflight.io/ready': 'true', 'mesh-preflight.io/iptables-backend': 'nft', 'mesh-preflight.io/mesh': 'istio' } }, status: {} });
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'false');
  const report = ReportSchema.parse(await (await fetch(`${agent.url}/v1/report`)).json());
  t.is(report.node, 'n1');
  t.is((await (await fetch(`${agent.url}/v1/report/checks/modules`)).json()).status, 'fail');
  t.is((await fetch(`${agent.url}/v1/report/checks/no-such-check`)).status, 404);
  const nodes = (await (await fetch(`${agent.url}/v1/nodes`)).json()) as { nodes: { name: string; ready: string }[] };
  t.deepEqual(nodes.nodes.map((n) => [n.name, n.ready]), [['n1', 'false'], ['n2', 'true']]);
  const notReady = (await (await fetch(`${agent.url}/v1/nodes?ready=false`)).json()) as { nodes: { name: string }[] };
  t.deepEqual(notReady.nodes.map((n) => n.name), ['n1']);
  const metrics = await (await fetch(`${agent.url}/metrics`)).text();
  t.regex(metrics, /mesh_preflight_module_state\{module="xt_owner",state="missing"\} 1/);
  t.is((await fetch(`${agent.url}/v1/recheck`, { method: 'POST' })).status, 401);
  t.is((await fetch(`${agent.url}/v1/recheck`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status, 403);
  const recheck = await fetch(`${agent.url}/v1/recheck`, { method: 'POST', headers: { authorization: 'Bearer good-token' } });
  t.is(recheck.status, 200);
  t.is(ReportSchema.parse(await recheck.json()).verdict, 'not-ready');
  t.is((await fetch(`${agent.url}/nope`)).status, 404);
});

test('the init-container watch explains a failed istio-init on this node and records an Event', async (t) => {
  const { fake, agent } = await withAgent(t, { current: 'lacks-module' });
  fake.addPod({
    metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-web-1' },
    spec: { nodeName: 'n1', initContainers: [{ name: 'istio-init' }], containers: [{ name: 'app' }] },
    status: { initContainerStatuses: [{ name: 'istio-init', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] },
  });
  // Log wording as in istio/istio#27843 (istio-init on a kernel without xt_owner).
  fake.setPodLog('shop', 'web-1', 'istio-init', "iptables-restore v1.8.4 (legacy): Couldn't load match `owner':No such file or directory\n\nError occurred at line: 38\n");
  await until(() => agent.watcher!.findings().length > 0);
  await until(() => !agent.runner.busy());
  const report = await agent.runNow();
  const finding = report.initContainers.find((f) => f.pod === 'web-1');
  t.truthy(finding, JSON.stringify(report.initContainers));
  t.is(finding?.source, 'watch');
  t.true(finding?.modules.includes('xt_owner'));
  t.is(report.checks.find((c) => c.id === 'init-containers')?.status, 'fail');
  await until(() => fake.requestsMatching('POST', '/api/v1/namespaces/shop/events').length > 0);
  t.pass();
});

test('--cleanup (the built CLI) removes exactly our labels, annotation and condition', async (t) => {
  const { fake, kubeconfig } = await withAgent(t, { current: 'talos' });
  await until(() => labels(fake)['mesh-preflight.io/ready'] === 'true' && condition(fake)?.status === 'True');
  const result = await execa(process.execPath, [cli, 'agent', '--cleanup', '--kubeconfig', kubeconfig, '--node-name', 'n1'], { reject: false, timeout: 30_000 });
  t.is(result.exitCode, 0, result.stderr);
  const node = fake.getNode('n1')!;
  t.deepEqual(Object.keys(node.metadata.labels).filter((k) => k.startsWith('mesh-preflight.io/')), []);
  t.is(node.metadata.annotations['mesh-preflight.io/report'], undefined);
  t.is(condition(fake), undefined);
  t.is(node.metadata.labels['team'], 'payments');
  t.truthy(node.status.conditions.find((c: { type: string }) => c.type === 'Ready'));
});

test('SIGTERM: the built agent stops accepting and exits 0 within 5 s', async (t) => {
  const { fake, kubeconfig } = await fakeWithClient();
  t.teardown(async () => {
    recorded.push(...fake.requests);
    await fake.close();
  });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = execa(
    process.execPath,
    [cli, 'agent', '--kubeconfig', kubeconfig, '--node-name', 'n1', '--listen', `127.0.0.1:${port}`, '--host-root', hostFixturePath('talos'), '--no-ipv6'],
    { reject: false },
  );
  await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, 20_000);
  const started = Date.now();
  child.kill('SIGTERM');
  const result = await child;
  t.is(result.exitCode, 0, result.stderr);
  t.true(Date.now() - started < 5000);
  await t.throwsAsync(() => fetch(`http://127.0.0.1:${port}/healthz`));
});

test('bad agent flags: one line, exit 2', async (t) => {
  for (const args of [['--interval', 'soon'], ['--listen', 'nowhere'], ['--fix', 'always'], ['--label-prefix', 'Bad Prefix']]) {
    const result = await execa(process.execPath, [cli, 'agent', ...args], { reject: false, timeout: 30_000 });
    t.is(result.exitCode, 2, args.join(' '));
    t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

// Runs last (ava runs a file's serial tests after its concurrent ones): every request above, against the
// shipped ClusterRole: all allowed, and no permission that no request used.
test.serial.after('RBAC: the ClusterRole allows exactly what the agent did against the fake API server', async (t) => {
  // The role as written (kustomize only adds a namespace and labels to it; test/daemonset/rbac.test.ts
  // checks every rendered overlay's role against the recorded list this test keeps up to date).
  const role = parseYaml(await readFile(path.join(root, 'daemonset/base/clusterrole.yaml'), 'utf8')) as Parameters<typeof auditClusterRole>[0];
  const requests = recorded.filter((r) => r.status !== 0);
  t.true(requests.length > 20);
  const audit = auditClusterRole(role, requests);
  t.deepEqual(audit.denied.map((d) => describeAttributes(d.attributes)), []);
  t.deepEqual(audit.unused, []);
  // Keep the checked-in list (used by test/daemonset/rbac.test.ts) in step with what the agent really does.
  const seen = new Map<string, RecordedRequest>();
  for (const r of requests) {
    const key = `${r.method} ${r.path.replace(/\/nodes\/n\d+/, '/nodes/NODE').replace(/\/namespaces\/[^/]+\/pods\/[^/]+/, '/namespaces/NS/pods/POD')} ${r.query?.['watch'] ?? ''}`;
    if (!seen.has(key)) seen.set(key, { method: r.method, path: r.path, query: r.query ?? {} });
  }
  if (process.env['MESH_PREFLIGHT_WRITE_RBAC_LOG']) {
    await writeFile(path.join(root, 'test/daemonset/agent-requests.json'), JSON.stringify([...seen.values()], null, 2) + '\n');
  }
});
