import test from 'ava';
import { ClusterView, type NodeMetadataLister } from '../../src/kube/cluster-view.ts';
import type { ListStats, MetadataListOptions } from '../../src/kube/lean-read.ts';
import { METADATA_LIST_ACCEPT } from '../../src/kube/lean-read.ts';
import { NodePublisher } from '../../src/kube/publisher.ts';
import { fakeWithClient, notReadyReport } from './fixtures.ts';

test('every node with our labels and parsed annotation, read metadata-only in pages; bad annotation ignored with a note', async (t) => {
  const { fake, api } = await fakeWithClient();
  await new NodePublisher(api, { nodeName: 'n1', catchUpIntervalMs: 0 }).publish(notReadyReport());
  fake.addNode({ metadata: { name: 'n0', annotations: { 'mesh-preflight.io/report': '{"verdict":' } } });
  fake.addNode({ metadata: { name: 'n2' } });
  fake.clearRequests();
  const view = new ClusterView(api, { minTtlMs: 0, chunkSize: 2 });
  const { nodes, stats } = await view.snapshot();
  t.deepEqual(nodes.map((n) => n.name), ['n0', 'n1', 'n2']);
  t.like(nodes[1], {
    ready: 'false',
    backend: 'nft',
    mesh: 'istio',
    summary: { verdict: 'not-ready', failing: ['modules'], missingModules: ['xt_owner'] },
  });
  t.is(nodes[1]!.condition, undefined, 'metadata carries no condition');
  t.regex(nodes[0]!.note!, /report annotation ignored/);
  t.is(nodes[0]!.summary, undefined);
  t.deepEqual(nodes[2], { name: 'n2' });
  const lists = fake.requestsMatching('GET', '/api/v1/nodes');
  t.is(lists.length, 2);
  t.is(stats.pages, 2);
  for (const r of lists) {
    t.is(r.accept, METADATA_LIST_ACCEPT);
    t.is(r.query['limit'], '2');
    t.is(r.query['resourceVersion'], undefined, 'a paged list never asks for resourceVersion=0');
  }
  t.truthy(lists[1]!.query['continue']);
  await fake.close();
});

test('cached for a lifetime that grows with the cluster, then refreshed behind; failures are not cached', async (t) => {
  const { fake, api } = await fakeWithClient();
  let clock = 1000;
  const view = new ClusterView(api, { now: () => clock });
  t.is(view.ttlMs(10), 5000);
  t.is(view.ttlMs(1000), 6000);
  t.is(view.ttlMs(5000), 30_000);
  t.is(view.ttlMs(50_000), 30_000);
  const first = await view.snapshot();
  await view.snapshot();
  t.is(fake.requestsMatching('GET', '/api/v1/nodes').length, 1);
  // Past its lifetime but within twice it: served at once, refreshed behind.
  clock += 6000;
  fake.addNode({ metadata: { name: 'n2' } });
  t.is(await view.snapshot(), first);
  for (let i = 0; i < 100 && fake.requestsMatching('GET', '/api/v1/nodes').length < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 50));
  const refreshed = await view.snapshot();
  t.deepEqual(refreshed.nodes.map((n) => n.name), ['n1', 'n2']);
  t.is(fake.requestsMatching('GET', '/api/v1/nodes').length, 2);
  // Past twice its lifetime: the caller waits for a list; a failure is not cached.
  clock += 11_000;
  fake.fail({ path: '/api/v1/nodes', status: 500 });
  await t.throwsAsync(() => view.snapshot());
  t.is((await view.snapshot()).nodes.length, 2);
  t.is(fake.requestsMatching('GET', '/api/v1/nodes').length, 4);
  await fake.close();
});

test('one list in flight however many callers arrive', async (t) => {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const lister: NodeMetadataLister = {
    async listNodeMetadata(opts: MetadataListOptions): Promise<ListStats> {
      calls += 1;
      await gate;
      opts.onPage([{ name: 'a', labels: {}, annotations: {} }], { restart: false });
      return { pages: 1, items: 1, wireBytes: 1, bodyBytes: 1, resourceVersion: '1', restarts: 0 };
    },
  };
  const view = new ClusterView(lister, { minTtlMs: 0 });
  const waiting = Array.from({ length: 20 }, () => view.snapshot());
  release();
  const results = await Promise.all(waiting);
  t.is(calls, 1);
  t.true(results.every((r) => r === results[0]));
});

test('a list that restarts after an expired continue token keeps no row twice', async (t) => {
  const { fake, api } = await fakeWithClient();
  for (const name of ['a', 'b', 'c', 'd']) fake.addNode({ metadata: { name } });
  const view = new ClusterView(api, { minTtlMs: 0, chunkSize: 2 });
  // Expire the first page's token before the second page is asked for.
  const original = api.listNodeMetadata.bind(api);
  const stats = await original({
    chunkSize: 2,
    onPage: (_items, page) => {
      if (!page.restart && fake.requestsMatching('GET', '/api/v1/nodes').length === 1) {
        fake.addNode({ metadata: { name: 'e' } }); // a write, then etcd compacts past the list's revision
        fake.compactHistory();
      }
    },
  });
  t.is(stats.restarts, 1);
  t.is(stats.items, 6, 'counted once, from the restart');
  t.deepEqual((await view.snapshot()).nodes.map((n) => n.name), ['a', 'b', 'c', 'd', 'e', 'n1']);
  await fake.close();
});
