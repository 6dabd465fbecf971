import test from 'ava';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodePublisher } from '../../src/kube/publisher.ts';
import { writeNfdFeatureFile, nfdFeatureText } from '../../src/kube/nfd-features.ts';
import { HostRoot } from '../../src/host/root.ts';
import { CONDITION_TYPE } from '../../src/kube/node-status.ts';
import { fakeWithClient, makeReport, notReadyReport } from './fixtures.ts';

const fast = { nodeName: 'n1', minRetryDelayMs: 10, maxRetryDelayMs: 50, catchUpIntervalMs: 0 };
const patchesOf = (fake: Awaited<ReturnType<typeof fakeWithClient>>['fake']) => fake.requestsMatching('PATCH', /^\/api\/v1\/nodes\/n1/);

test('labels, annotation and condition appear on the node; foreign labels stay', async (t) => {
  const { fake, api } = await fakeWithClient();
  const pub = new NodePublisher(api, fast);
  const r = await pub.publish(makeReport());
  t.like(r, { ok: true, patches: 2 });
  const node = fake.getNode('n1')!;
  t.like(node.metadata.labels, { 'mesh-preflight.io/ready': 'true', 'mesh-preflight.io/iptables-backend': 'nft', 'mesh-preflight.io/mesh': 'istio', team: 'payments' });
  t.like(JSON.parse(node.metadata.annotations['mesh-preflight.io/report']), { verdict: 'ready', failing: [] });
  t.is(node.metadata.annotations['node.alpha.kubernetes.io/ttl'], '0');
  const cond = node.status.conditions.find((c: { type: string }) => c.type === CONDITION_TYPE);
  t.like(cond, { status: 'True', reason: 'MeshInterceptionReady' });
  t.is(node.status.conditions[0].type, 'Ready', 'the kubelet condition is untouched');
  t.is(pub.counters.writes, 2);
  await fake.close();
});

test('unchanged → zero PATCHes over several publishes', async (t) => {
  const { fake, api } = await fakeWithClient();
  const pub = new NodePublisher(api, fast);
  await pub.publish(makeReport());
  fake.clearRequests();
  for (let i = 0; i < 5; i++) t.like(await pub.publish(makeReport({ generatedAt: `2025-01-01T00:0${i}:00Z` })), { ok: true, patches: 0 });
  t.is(patchesOf(fake).length, 0);
  t.is(pub.counters.unchanged, 5);
  // A real change costs writes again, and only of the changed part.
  await pub.publish(notReadyReport());
  t.is(patchesOf(fake).length, 2);
  t.is(fake.getNode('n1')!.metadata.labels['mesh-preflight.io/ready'], 'false');
  await fake.close();
});

test('409 and 500 are retried until the write lands', async (t) => {
  const { fake, api } = await fakeWithClient();
  const pub = new NodePublisher(api, fast);
  fake.fail({ method: 'PATCH', path: '/api/v1/nodes/n1', status: 409, times: 1 });
  fake.fail({ method: 'PATCH', path: '/api/v1/nodes/n1/status', status: 500, times: 2 });
  const r = await pub.publish(makeReport());
  t.true(r.ok);
  t.is(fake.getNode('n1')!.metadata.labels['mesh-preflight.io/ready'], 'true');
  t.truthy(fake.getNode('n1')!.status.conditions.find((c: { type: string }) => c.type === CONDITION_TYPE));
  t.is(pub.counters.writeErrors, 3);
  t.is(fake.requestsMatching('PATCH', '/api/v1/nodes/n1/status').filter((q) => q.status === 200).length, 1);
  await fake.close();
});

test('429 Retry-After is honoured', async (t) => {
  const { fake, api } = await fakeWithClient();
  const pub = new NodePublisher(api, { ...fast, maxRetryDelayMs: 2000 });
  fake.fail({ method: 'GET', path: '/api/v1/nodes/n1', status: 429, retryAfterSeconds: 1 });
  const t0 = Date.now();
  t.true((await pub.publish(makeReport())).ok);
  t.true(Date.now() - t0 >= 950);
  await fake.close();
});

test('a non-retryable error (404) fails fast', async (t) => {
  const { fake, api } = await fakeWithClient();
  const pub = new NodePublisher(api, { ...fast, nodeName: 'ghost' });
  const r = await pub.publish(makeReport());
  t.false(r.ok);
  t.regex(r.error!, /404/);
  t.is(fake.requestsMatching('GET', '/api/v1/nodes/ghost').length, 1);
  t.true(pub.pending);
  await fake.close();
});

test('API server down at start → caught up by the retry timer when it returns', async (t) => {
  const { fake, api } = await fakeWithClient();
  await fake.stop();
  const pub = new NodePublisher(api, { ...fast, retries: 1, catchUpIntervalMs: 100 });
  const r = await pub.publish(makeReport());
  t.false(r.ok);
  t.true(pub.pending);
  t.is(pub.counters.failedPublishes, 1);
  await fake.start();
  const deadline = Date.now() + 30_000;
  while (pub.pending && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  t.false(pub.pending);
  t.is(fake.getNode('n1')!.metadata.labels['mesh-preflight.io/ready'], 'true');
  pub.stop();
  await fake.close();
});

test('API server down → the next publish call catches up with the newest state', async (t) => {
  const { fake, api } = await fakeWithClient();
  await fake.stop();
  const pub = new NodePublisher(api, { ...fast, retries: 0 });
  t.false((await pub.publish(makeReport())).ok);
  await fake.start();
  t.true((await pub.publish(notReadyReport())).ok);
  t.is(fake.getNode('n1')!.metadata.labels['mesh-preflight.io/ready'], 'false');
  await fake.close();
});

test('cleanup removes only ours, through the real strategic merge `$patch: delete`', async (t) => {
  const { fake, api } = await fakeWithClient();
  const pub = new NodePublisher(api, fast);
  await pub.publish(makeReport());
  t.true((await pub.cleanup()).ok);
  const node = fake.getNode('n1')!;
  t.deepEqual(node.metadata.labels, { 'kubernetes.io/hostname': 'n1', team: 'payments' });
  t.deepEqual(node.metadata.annotations, { 'node.alpha.kubernetes.io/ttl': '0' });
  t.deepEqual(node.status.conditions.map((c: { type: string }) => c.type), ['Ready']);
  await fake.close();
});

test('NFD feature file: labels as lines, expiry directive, atomic write', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mp-nfd-'));
  const now = new Date('2025-06-01T12:00:00Z');
  const shown = await writeNfdFeatureFile(new HostRoot(dir), '/', notReadyReport(), { now });
  t.is(shown, '/mesh-preflight');
  const text = await readFile(join(dir, 'mesh-preflight'), 'utf8');
  t.is(text, nfdFeatureText(notReadyReport(), { now }));
  const lines = text.trim().split('\n');
  t.true(lines.includes('# +expiry-time=2025-06-01T14:00:00Z'));
  t.true(lines.includes('mesh-preflight.io/ready=false'));
  t.true(lines.includes('mesh-preflight.io/iptables-backend=nft'));
  for (const l of lines.filter((x) => !x.startsWith('#'))) t.regex(l, /^[a-z0-9.-]+\/[A-Za-z0-9._-]+=[A-Za-z0-9._-]*$/);
  t.deepEqual(await readdir(dir), ['mesh-preflight'], 'no temp file left behind');
  await t.throwsAsync(() => writeNfdFeatureFile(new HostRoot(dir), '/', makeReport(), { fileName: '.hidden' }));
});
