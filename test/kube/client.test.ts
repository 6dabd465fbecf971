import test from 'ava';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeApiError, SERVICE_ACCOUNT_DIR, createKubeNodeApi, resolveKubeConfig, type PodWatchEvent } from '../../src/kube/client.ts';
import { fakeWithClient } from './fixtures.ts';

test('resolveKubeConfig: none → undefined; KUBECONFIG env; flag wins over env', async (t) => {
  t.is(resolveKubeConfig({ env: {} }), undefined);
  const { fake, kubeconfig } = await fakeWithClient();
  const viaEnv = resolveKubeConfig({ env: { KUBECONFIG: `${kubeconfig}:/nonexistent` } });
  t.is(viaEnv?.source, 'env');
  t.is(viaEnv?.server, fake.url);
  const viaFlag = resolveKubeConfig({ kubeconfig, env: { KUBECONFIG: '/nonexistent' } });
  t.is(viaFlag?.source, 'flag');
  await fake.close();
});

test('resolveKubeConfig: in-cluster service account beats KUBECONFIG', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'mp-sa-'));
  await mkdir(join(root, SERVICE_ACCOUNT_DIR), { recursive: true });
  await writeFile(join(root, SERVICE_ACCOUNT_DIR, 'token'), 'sa-token');
  await writeFile(join(root, SERVICE_ACCOUNT_DIR, 'namespace'), 'mesh-preflight');
  const r = resolveKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: '/nonexistent' }, inClusterRoot: root });
  t.is(r?.source, 'in-cluster');
  t.is(r?.server, 'https://10.96.0.1:443');
  // Without the token file we are not in a pod.
  t.is(resolveKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, inClusterRoot: join(root, 'nope') }), undefined);
});

test('node get / merge patch / strategic status patch through client-node with the right content types', async (t) => {
  const { fake, api } = await fakeWithClient();
  const node = await api.getNode('n1');
  t.is(node.labels['team'], 'payments');
  t.deepEqual(node.conditions.map((c) => c.type), ['Ready']);
  t.is(node.conditions[0]!.lastHeartbeatTime, '2025-01-01T00:00:00Z', 'Date fields come back as RFC 3339 strings');

  const patched = await api.patchNodeMetadata('n1', { metadata: { labels: { 'mesh-preflight.io/ready': 'true', team: null } } });
  t.is(patched.labels['mesh-preflight.io/ready'], 'true');
  t.false('team' in patched.labels);
  const afterStatus = await api.patchNodeStatus('n1', { status: { conditions: [{ type: 'MeshPreflightReady', status: 'True', reason: 'R', message: 'm' }] } });
  t.deepEqual(afterStatus.conditions.map((c) => c.type), ['Ready', 'MeshPreflightReady']);

  const patches = fake.requestsMatching('PATCH', /^\/api\/v1\/nodes\/n1/);
  t.deepEqual(patches.map((r) => [r.path, r.contentType]), [
    ['/api/v1/nodes/n1', 'application/merge-patch+json'],
    ['/api/v1/nodes/n1/status', 'application/strategic-merge-patch+json'],
  ]);
  t.deepEqual(patches[0]!.body, { metadata: { labels: { 'mesh-preflight.io/ready': 'true', team: null } } }, 'null survives serialisation');
  await fake.close();
});

test('errors become KubeApiError with code, reason and Retry-After', async (t) => {
  const { fake, api } = await fakeWithClient();
  const missing = await t.throwsAsync(() => api.getNode('nope'));
  t.true(missing instanceof KubeApiError);
  t.like(missing as KubeApiError, { code: 404, reason: 'NotFound' });
  t.false((missing as KubeApiError).retryable);
  fake.fail({ path: '/api/v1/nodes/n1', status: 429, retryAfterSeconds: 3 });
  const limited = (await t.throwsAsync(() => api.getNode('n1'))) as KubeApiError;
  t.like(limited, { code: 429, reason: 'TooManyRequests', retryAfterSeconds: 3 });
  t.true(limited.retryable);
  await fake.close();
});

test('every request has a timeout', async (t) => {
  const { fake, kubeconfig } = await fakeWithClient();
  const api = createKubeNodeApi(resolveKubeConfig({ kubeconfig, env: {} })!, { timeoutMs: 200 });
  fake.fail({ path: '/api/v1/nodes/n1', delayMs: 1000 });
  const t0 = Date.now();
  const err = (await t.throwsAsync(() => api.getNode('n1'))) as KubeApiError;
  t.true(Date.now() - t0 < 900);
  t.is(err.code, undefined);
  t.true(err.retryable);
  await fake.close();
});

test('API server down → network KubeApiError (retryable)', async (t) => {
  const { fake, api } = await fakeWithClient();
  await fake.stop();
  const err = (await t.throwsAsync(() => api.getNode('n1'))) as KubeApiError;
  t.true(err instanceof KubeApiError);
  t.true(err.retryable);
  await fake.close();
});

test('list/watch pods on the node, logs, events, token reviews', async (t) => {
  const { fake, api } = await fakeWithClient({ users: { tok: { username: 'alice', groups: ['admins'] } } });
  fake.addPod({ metadata: { name: 'p1', namespace: 'ns', labels: { app: 'x' } }, spec: { nodeName: 'n1', initContainers: [{ name: 'istio-init' }], containers: [{ name: 'app' }] } });
  fake.addPod({ metadata: { name: 'elsewhere', namespace: 'ns' }, spec: { nodeName: 'n2' } });
  const list = await api.listPodsOnNode('n1');
  t.deepEqual(list.items.map((p) => p.name), ['p1']);
  t.is(fake.requests.at(-1)!.query['fieldSelector'], 'spec.nodeName=n1');

  const events: PodWatchEvent[] = [];
  const handle = await api.watchPodsOnNode('n1', list.resourceVersion, (e) => events.push(e));
  fake.updatePod('ns', 'p1', (p) => {
    p.status = { initContainerStatuses: [{ name: 'istio-init', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } }, lastState: {} }] };
  });
  await waitFor(() => events.some((e) => e.type === 'MODIFIED'));
  const mod = events.find((e) => e.type === 'MODIFIED') as Extract<PodWatchEvent, { pod: unknown }>;
  t.deepEqual(mod.pod.initContainerStatuses[0]!.state, { terminated: { exitCode: 1, reason: 'Error' } });
  handle.stop();
  t.deepEqual(await handle.done, {});

  fake.setPodLog('ns', 'p1', 'istio-init', 'a\nb\nc\n');
  t.is(await api.readPodLog({ namespace: 'ns', pod: 'p1', container: 'istio-init', tailLines: 1 }), 'c\n');

  await api.createEvent({ namespace: 'ns', involvedObject: { kind: 'Pod', name: 'p1', uid: 'u1' }, type: 'Warning', reason: 'MeshInitFailure', message: 'm', component: 'mesh-preflight', host: 'n1' });
  t.like(fake.events[0], { reason: 'MeshInitFailure', type: 'Warning', involvedObject: { kind: 'Pod', name: 'p1', namespace: 'ns' }, source: { component: 'mesh-preflight', host: 'n1' } });
  t.regex(fake.events[0]!.metadata.name, /^p1\.[0-9a-f]+$/);

  t.like(await api.createTokenReview('tok'), { authenticated: true, username: 'alice', groups: ['admins'] });
  t.like(await api.createTokenReview('bad'), { authenticated: false });
  await fake.close();
});

test('watch ends with a 410 ERROR event when the resourceVersion was compacted', async (t) => {
  const { fake, api } = await fakeWithClient();
  const old = fake.resourceVersion;
  fake.addPod({ metadata: { name: 'p1', namespace: 'ns' }, spec: { nodeName: 'n1' } });
  fake.compactHistory();
  const events: PodWatchEvent[] = [];
  const handle = await api.watchPodsOnNode('n1', old, (e) => events.push(e));
  await handle.done;
  const err = events.find((e) => e.type === 'ERROR') as Extract<PodWatchEvent, { type: 'ERROR' }>;
  t.is(err.error.code, 410);
  t.is(err.error.reason, 'Expired');
  await fake.close();
});

async function waitFor(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
