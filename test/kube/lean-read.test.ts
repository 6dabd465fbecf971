import test from 'ava';
import { createServer } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { LeanReadError, LeanReader, type ObjectMeta } from '../../src/kube/lean-read.ts';
import { fakeWithClient } from './fixtures.ts';

async function readerFor(kubeconfig: string, timeoutMs?: number) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return new LeanReader(kc, timeoutMs ? { timeoutMs } : {});
}

test('pages arrive one by one, compressed on the wire when large, with the kubeconfig bearer token', async (t) => {
  const { fake, kubeconfig } = await fakeWithClient();
  t.teardown(() => fake.close());
  for (let i = 0; i < 1200; i += 1) {
    fake.addNode({ metadata: { name: `node-${String(i).padStart(4, '0')}`, labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}`, 'kubernetes.io/hostname': `node-${i}` }, annotations: { note: 'x'.repeat(120) } } });
  }
  const reader = await readerFor(kubeconfig);
  const sizes: number[] = [];
  let first: ObjectMeta | undefined;
  const stats = await reader.listNodeMetadata({
    chunkSize: 500,
    onPage: (items) => {
      sizes.push(items.length);
      first ??= items[0];
    },
  });
  t.deepEqual(sizes, [500, 500, 201]);
  t.like(stats, { pages: 3, items: 1201, restarts: 0, resourceVersion: fake.resourceVersion });
  t.true(stats.wireBytes < stats.bodyBytes / 3, `gzip: ${stats.wireBytes} of ${stats.bodyBytes}`);
  t.deepEqual(Object.keys(first!).sort(), ['annotations', 'labels', 'name', 'resourceVersion']);
  const sent = fake.requestsMatching('GET', '/api/v1/nodes');
  t.true(sent.every((r) => r.status === 200));
  t.is(sent.reduce((a, r) => a + (r.responseBytes ?? 0), 0), stats.wireBytes);
});

test('chunk size 0 is one request; an API error is a LeanReadError with the Status message', async (t) => {
  const { fake, kubeconfig } = await fakeWithClient();
  t.teardown(() => fake.close());
  const reader = await readerFor(kubeconfig);
  const stats = await reader.listNodeMetadata({ chunkSize: 0, onPage: () => undefined });
  t.is(stats.pages, 1);
  t.is(fake.requests.at(-1)!.query['limit'], undefined);
  fake.fail({ path: '/api/v1/nodes', status: 403, reason: 'Forbidden', message: 'nodes is forbidden' });
  const error = await t.throwsAsync(() => reader.listNodeMetadata({ onPage: () => undefined }), { instanceOf: LeanReadError });
  t.is(error.message, 'list /api/v1/nodes: 403 nodes is forbidden');
  t.is(error.code, 403);
  t.is(error.reason, 'Forbidden');
  t.is(await reader.getObject('/api/v1/nodes/absent'), undefined);
  t.is(fake.requests.at(-1)!.query['resourceVersion'], '0', 'a single GET may come from the cache');
});

test('a second expired continue token in one list is an error, not an endless restart', async (t) => {
  const { fake, kubeconfig } = await fakeWithClient();
  t.teardown(() => fake.close());
  for (const name of ['a', 'b', 'c']) fake.addNode({ metadata: { name } });
  const reader = await readerFor(kubeconfig);
  const error = await t.throwsAsync(() =>
    reader.listNodeMetadata({
      chunkSize: 1,
      onPage: () => {
        fake.addNode({ metadata: { name: `x-${fake.resourceVersion}` } });
        fake.compactHistory();
      },
    }),
  );
  t.regex(error!.message, /410 The provided continue parameter is too old/);
});

test('a server that does not answer in time is a timeout, not a hang', async (t) => {
  const server = createServer(() => undefined); // never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => server.closeAllConnections());
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const reader = new LeanReader(kc, { timeoutMs: 300 });
  const error = await t.throwsAsync(() => reader.listNodeMetadata({ onPage: () => undefined }), { instanceOf: LeanReadError });
  t.regex(error.message, /timeout after 300 ms: GET \/api\/v1\/nodes/);
});
