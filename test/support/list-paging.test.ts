import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { FakeApiServer } from './fake-apiserver.ts';

const META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

async function setup(n = 5) {
  const fake = await FakeApiServer.start();
  for (let i = 0; i < n; i += 1) {
    fake.addNode({
      metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, ...(i % 2 ? { odd: 'yes' } : {}) } },
      status: { nodeInfo: { kubeletVersion: 'v1.31.2' }, images: [{ names: ['registry.k8s.io/pause:3.10'], sizeBytes: 320368 }] },
    });
  }
  const get = (path: string, headers: Record<string, string> = {}) => fetch(fake.url + path, { headers: { Authorization: `Bearer ${fake.token}`, ...headers } });
  return { fake, get };
}

test('metadata-only list: PartialObjectMetadataList of PartialObjectMetadata, no spec or status', async (t) => {
  const { fake, get } = await setup();
  const res = await get('/api/v1/nodes', { Accept: META_LIST });
  t.is(res.status, 200);
  const list = await res.json();
  t.like(list, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: fake.resourceVersion } });
  t.is(list.items.length, 5);
  t.deepEqual(Object.keys(list.items[0]).sort(), ['apiVersion', 'kind', 'metadata']);
  t.like(list.items[0], { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'node-0' } });
  const plain = await (await get('/api/v1/nodes')).json();
  t.is(plain.kind, 'NodeList');
  t.truthy(plain.items[0].status);
  await fake.close();
});

test('Accept negotiation: first servable clause wins; 406 NotAcceptable Status for what it cannot serve', async (t) => {
  const { fake, get } = await setup();
  const fallback = await get('/api/v1/nodes', { Accept: 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json' });
  t.is((await fallback.json()).kind, 'NodeList', 'protobuf skipped, plain JSON served');
  for (const accept of ['application/vnd.kubernetes.protobuf', 'text/plain', 'application/json;as=Foo;g=meta.k8s.io;v=v1']) {
    const res = await get('/api/v1/nodes', { Accept: accept });
    t.is(res.status, 406, accept);
    t.like(await res.json(), { kind: 'Status', status: 'Failure', reason: 'NotAcceptable', code: 406 });
  }
  // A list asked for as one object, and one object asked for as a list.
  const single = await get('/api/v1/nodes', { Accept: META });
  t.is(single.status, 406);
  t.regex((await single.json()).message, /requested object is a list/);
  const asList = await get('/api/v1/nodes/node-1', { Accept: META_LIST });
  t.is(asList.status, 406);
  const one = await (await get('/api/v1/nodes/node-1', { Accept: META })).json();
  t.like(one, { kind: 'PartialObjectMetadata', metadata: { name: 'node-1' } });
  t.is(one.status, undefined);
  await fake.close();
});

test('limit + continue: pages in name order, remainingItemCount without selectors, the same resourceVersion on every page', async (t) => {
  const { fake, get } = await setup(5);
  const names: string[] = [];
  let token = '';
  const rvs = new Set<string>();
  const remaining: Array<number | undefined> = [];
  do {
    const page = await (await get(`/api/v1/nodes?limit=2${token ? `&continue=${encodeURIComponent(token)}` : ''}`, { Accept: META_LIST })).json();
    names.push(...page.items.map((i: { metadata: { name: string } }) => i.metadata.name));
    rvs.add(page.metadata.resourceVersion);
    remaining.push(page.metadata.remainingItemCount);
    token = page.metadata.continue ?? '';
  } while (token);
  t.deepEqual(names, ['node-0', 'node-1', 'node-2', 'node-3', 'node-4']);
  t.deepEqual(remaining, [3, 1, undefined]);
  t.is(rvs.size, 1);
  const selected = await (await get('/api/v1/nodes?limit=1&labelSelector=odd%3Dyes', { Accept: META_LIST })).json();
  t.is(selected.items[0].metadata.name, 'node-1');
  t.truthy(selected.metadata.continue);
  t.is(selected.metadata.remainingItemCount, undefined, 'unknown with a selector');
  await fake.close();
});

test('resourceVersion=0 is served as from the watch cache: limit ignored, no continue', async (t) => {
  const { fake, get } = await setup(5);
  const list = await (await get('/api/v1/nodes?limit=2&resourceVersion=0', { Accept: META_LIST })).json();
  t.is(list.items.length, 5);
  t.is(list.metadata.continue, undefined);
  await fake.close();
});

test('continue: 410 Expired with an inconsistent token once compacted; 400 for a bad token or a resourceVersion with it', async (t) => {
  const { fake, get } = await setup(5);
  const first = await (await get('/api/v1/nodes?limit=2', { Accept: META_LIST })).json();
  const token = encodeURIComponent(first.metadata.continue);
  const badRv = await get(`/api/v1/nodes?limit=2&continue=${token}&resourceVersion=5`, { Accept: META_LIST });
  t.is(badRv.status, 400);
  t.regex((await badRv.json()).message, /specifying resource version is not allowed when using continue/);
  const bad = await get('/api/v1/nodes?limit=2&continue=garbage', { Accept: META_LIST });
  t.is(bad.status, 400);
  fake.addNode({ metadata: { name: 'node-9' } });
  fake.compactHistory();
  const gone = await get(`/api/v1/nodes?limit=2&continue=${token}`, { Accept: META_LIST });
  t.is(gone.status, 410);
  const status = await gone.json();
  t.like(status, { kind: 'Status', reason: 'Expired', code: 410 });
  t.regex(status.message, /too old to display a consistent list result/);
  const rest = await (await get(`/api/v1/nodes?limit=10&continue=${encodeURIComponent(status.metadata.continue)}`, { Accept: META_LIST })).json();
  t.deepEqual(rest.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['node-2', 'node-3', 'node-4', 'node-9'], 'the inconsistent remainder');
  await fake.close();
});

test('gzip above 128 KiB when accepted (level 1, Vary), never below; response bytes are logged', async (t) => {
  const { fake } = await setup(1000);
  const fetchRaw = (path: string) => new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    import('node:http').then(({ get: httpGet }) => {
      httpGet(fake.url + path, { headers: { Authorization: `Bearer ${fake.token}`, 'Accept-Encoding': 'gzip' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    }, reject);
  });
  const res = await fetchRaw('/api/v1/nodes');
  t.is(res.headers['content-encoding'], 'gzip');
  t.is(res.headers['vary'], 'Accept-Encoding');
  const text = gunzipSync(res.body).toString();
  t.true(text.length > 128 * 1024);
  t.is(JSON.parse(text).items.length, 1000);
  t.is(fake.requests.at(-1)!.responseBytes, res.body.length);
  const small = await fetchRaw('/api/v1/nodes/node-1');
  t.is(small.headers['content-encoding'], undefined);
  t.is(JSON.parse(small.body.toString()).metadata.name, 'node-1');
  await fake.close();
});

test('a metadata watch sends PartialObjectMetadata events; a list representation is refused for a watch', async (t) => {
  const { fake, get } = await setup(1);
  const controller = new AbortController();
  const res = await fetch(`${fake.url}/api/v1/nodes?watch=1&resourceVersion=${fake.resourceVersion}`, {
    headers: { Authorization: `Bearer ${fake.token}`, Accept: META },
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  fake.updateNode('node-0', (n) => {
    n.metadata.labels.team = 'a';
  });
  const { value } = await reader.read();
  const event = JSON.parse(new TextDecoder().decode(value).split('\n')[0]!);
  t.like(event, { type: 'MODIFIED', object: { kind: 'PartialObjectMetadata', metadata: { name: 'node-0', labels: { team: 'a' } } } });
  t.is(event.object.status, undefined);
  controller.abort();
  const refused = await get('/api/v1/nodes?watch=1', { Accept: META_LIST });
  t.is(refused.status, 406);
  await fake.close();
});
