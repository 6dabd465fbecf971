import test from 'ava';
import { listNodeReadiness } from '../../src/kube/cluster-view.ts';
import { NodePublisher } from '../../src/kube/publisher.ts';
import { fakeWithClient, notReadyReport } from './fixtures.ts';

test('every node with our labels, condition and parsed annotation; bad annotation ignored with a note', async (t) => {
  const { fake, api } = await fakeWithClient();
  await new NodePublisher(api, { nodeName: 'n1', catchUpIntervalMs: 0 }).publish(notReadyReport());
  fake.addNode({ metadata: { name: 'n0', annotations: { 'mesh-preflight.io/report': '{"verdict":' } } });
  fake.addNode({ metadata: { name: 'n2' } });
  const view = await listNodeReadiness(api, undefined, { ttlMs: 0 });
  t.deepEqual(view.map((n) => n.name), ['n0', 'n1', 'n2']);
  t.like(view[1], {
    ready: 'false',
    backend: 'nft',
    mesh: 'istio',
    condition: { status: 'False', reason: 'MeshInterceptionNotReady' },
    summary: { verdict: 'not-ready', failing: ['modules'], missingModules: ['xt_owner'] },
  });
  t.truthy(view[1]!.condition!.lastHeartbeatTime);
  t.regex(view[0]!.note!, /report annotation ignored/);
  t.is(view[0]!.summary, undefined);
  t.deepEqual(view[2], { name: 'n2' });
  await fake.close();
});

test('cached for ttlMs: one LIST per window; failures are not cached', async (t) => {
  const { fake, api } = await fakeWithClient();
  let clock = 1000;
  const opts = { ttlMs: 5000, now: () => clock };
  await listNodeReadiness(api, undefined, opts);
  await listNodeReadiness(api, undefined, opts);
  t.is(fake.requestsMatching('GET', '/api/v1/nodes').length, 1);
  clock += 6000;
  fake.fail({ path: '/api/v1/nodes', status: 500 });
  await t.throwsAsync(() => listNodeReadiness(api, undefined, opts));
  t.is((await listNodeReadiness(api, undefined, opts)).length, 1);
  t.is(fake.requestsMatching('GET', '/api/v1/nodes').length, 3);
  await fake.close();
});
