import test from 'ava';
import { FakeApiServer } from './fake-apiserver.ts';
import { mergePatch, strategicMergePatch, jsonPatch } from './patch.ts';

async function setup() {
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 50, users: { 'good-token': { username: 'system:serviceaccount:mon:prom', groups: ['g1'] } } });
  fake.addNode({
    metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'team': 'a' }, annotations: { keep: 'me' } },
    spec: { podCIDR: '10.0.0.0/24' },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
  });
  const req = (path: string, init: RequestInit = {}) =>
    fetch(fake.url + path, { ...init, headers: { Authorization: `Bearer ${fake.token}`, ...(init.headers as Record<string, string>) } });
  const patch = (path: string, type: string, body: unknown) =>
    req(path, { method: 'PATCH', headers: { 'Content-Type': type }, body: JSON.stringify(body) });
  return { fake, req, patch };
}

test('merge patch: null deletes a label, lists are replaced, foreign keys stay', async (t) => {
  const { fake, patch } = await setup();
  const rv0 = fake.getNode('n1')!.metadata.resourceVersion;
  const res = await patch('/api/v1/nodes/n1', 'application/merge-patch+json', { metadata: { labels: { team: null, 'x/y': 'z' } } });
  t.is(res.status, 200);
  const n = await res.json();
  t.deepEqual(n.metadata.labels, { 'kubernetes.io/hostname': 'n1', 'x/y': 'z' });
  t.deepEqual(n.metadata.annotations, { keep: 'me' });
  t.true(Number(n.metadata.resourceVersion) > Number(rv0));
  await fake.close();
});

test('main-resource PATCH cannot change status; /status PATCH cannot change labels', async (t) => {
  const { fake, patch } = await setup();
  await patch('/api/v1/nodes/n1', 'application/merge-patch+json', { status: { conditions: [] } });
  t.is(fake.getNode('n1')!.status.conditions.length, 1);
  await patch('/api/v1/nodes/n1/status', 'application/merge-patch+json', { metadata: { labels: { evil: 'yes' } } });
  t.false('evil' in fake.getNode('n1')!.metadata.labels);
  await fake.close();
});

test('strategic merge patch merges conditions by type; merge patch replaces the list', async (t) => {
  const { fake, patch } = await setup();
  const add = { status: { conditions: [{ type: 'MeshPreflightReady', status: 'True', reason: 'MeshInterceptionReady' }] } };
  let res = await patch('/api/v1/nodes/n1/status', 'application/strategic-merge-patch+json', add);
  t.is(res.status, 200);
  t.deepEqual(
    fake.getNode('n1')!.status.conditions.map((c: { type: string }) => c.type),
    ['Ready', 'MeshPreflightReady'],
  );
  res = await patch('/api/v1/nodes/n1/status', 'application/strategic-merge-patch+json', {
    status: { conditions: [{ type: 'MeshPreflightReady', $patch: 'delete' }] },
  });
  t.is(res.status, 200);
  t.deepEqual(fake.getNode('n1')!.status.conditions.map((c: { type: string }) => c.type), ['Ready']);
  await patch('/api/v1/nodes/n1/status', 'application/merge-patch+json', add);
  t.deepEqual(fake.getNode('n1')!.status.conditions.map((c: { type: string }) => c.type), ['MeshPreflightReady']);
  await fake.close();
});

test('patch semantics, pure: RFC 7386 and SMP directives and RFC 6902', (t) => {
  t.deepEqual(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } }), { a: 'z', c: { d: 'e' } });
  t.deepEqual(mergePatch({ a: [1, 2] }, { a: [3] }), { a: [3] });
  t.deepEqual(
    strategicMergePatch({ status: { conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'False' }] } }, { status: { conditions: [{ type: 'B', status: 'True' }] } }),
    { status: { conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'True' }] } },
  );
  t.deepEqual(strategicMergePatch({ spec: { a: 1, b: 2 } }, { spec: { $retainKeys: ['b'], b: 3 } }), { spec: { b: 3 } });
  t.deepEqual(strategicMergePatch({ m: { x: 1 } }, { m: { $patch: 'replace', y: 2 } }), { m: { y: 2 } });
  t.throws(() => strategicMergePatch({ status: { conditions: [] } }, { status: { conditions: [{ status: 'True' }] } }), { message: /merge key: type/ });
  t.deepEqual(jsonPatch({ metadata: { labels: { a: 'b' } } }, [{ op: 'remove', path: '/metadata/labels/a' }, { op: 'add', path: '/metadata/labels/x~1y', value: '1' }]), {
    metadata: { labels: { 'x/y': '1' } },
  });
});

test('415 for an unknown patch content type, as a real Status', async (t) => {
  const { fake, patch } = await setup();
  const res = await patch('/api/v1/nodes/n1', 'application/json', { metadata: { labels: { a: 'b' } } });
  t.is(res.status, 415);
  const s = await res.json();
  t.like(s, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'UnsupportedMediaType', code: 415 });
  await fake.close();
});

test('stale metadata.resourceVersion in a patch → 409 Conflict; current one → 200', async (t) => {
  const { fake, patch } = await setup();
  const rv = fake.getNode('n1')!.metadata.resourceVersion;
  fake.updateNode('n1', (n) => void (n.metadata.labels.other = 'writer'));
  const stale = await patch('/api/v1/nodes/n1', 'application/merge-patch+json', { metadata: { resourceVersion: rv, labels: { a: 'b' } } });
  t.is(stale.status, 409);
  t.like(await stale.json(), { reason: 'Conflict', code: 409, details: { name: 'n1', kind: 'nodes' } });
  const fresh = await patch('/api/v1/nodes/n1', 'application/merge-patch+json', { metadata: { resourceVersion: fake.getNode('n1')!.metadata.resourceVersion, labels: { a: 'b' } } });
  t.is(fresh.status, 200);
  await fake.close();
});

test('401 without the token, 404 Status for a missing node, label selector on list', async (t) => {
  const { fake, req } = await setup();
  t.is((await fetch(fake.url + '/api/v1/nodes')).status, 401);
  const missing = await req('/api/v1/nodes/nope');
  t.is(missing.status, 404);
  t.like(await missing.json(), { reason: 'NotFound', message: 'nodes "nope" not found' });
  fake.addNode({ metadata: { name: 'n2', labels: { team: 'b' } } });
  const list = await (await req('/api/v1/nodes?labelSelector=team%3Db')).json();
  t.is(list.kind, 'NodeList');
  t.truthy(list.metadata.resourceVersion);
  t.deepEqual(list.items.map((n: { metadata: { name: string } }) => n.metadata.name), ['n2']);
  const notin = await (await req('/api/v1/nodes?labelSelector=' + encodeURIComponent('team notin (b)'))).json();
  t.deepEqual(notin.items.map((n: { metadata: { name: string } }) => n.metadata.name), ['n1']);
  await fake.close();
});

async function readLines(res: Response, n: number, timeoutMs = 10_000): Promise<Array<{ type: string; object: Record<string, any> }>> {
  const reader = res.body!.getReader();
  const out: Array<{ type: string; object: Record<string, any> }> = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) {
    const { value, done } = await Promise.race([
      reader.read(),
      new Promise<{ value: undefined; done: true }>((r) => setTimeout(() => r({ value: undefined, done: true }), deadline - Date.now())),
    ]);
    if (done) break;
    buf += new TextDecoder().decode(value);
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      out.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  }
  await reader.cancel().catch(() => {});
  return out;
}

test('pod watch: events after the given resourceVersion, node-scoped, bookmarks', async (t) => {
  const { fake, req } = await setup();
  fake.addPod({ metadata: { name: 'a', namespace: 'ns' }, spec: { nodeName: 'n1' } });
  const list = await (await req('/api/v1/pods?fieldSelector=spec.nodeName%3Dn1')).json();
  t.is(list.items.length, 1);
  const res = await req(`/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dn1&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`);
  t.is(res.status, 200);
  fake.addPod({ metadata: { name: 'other-node', namespace: 'ns' }, spec: { nodeName: 'n2' } });
  fake.updatePod('ns', 'a', (p) => void (p.status = { phase: 'Running' }));
  fake.deletePod('ns', 'a');
  // Bookmarks come every 50 ms, so one may arrive before the events on a slow machine: read a few lines.
  const events = await readLines(res, 6, 5000);
  const changes = events.filter((e) => e.type !== 'BOOKMARK');
  t.deepEqual(changes.map((e) => e.type), ['MODIFIED', 'DELETED'], 'the other node\'s pod is not sent');
  t.is(changes[0]!.object.metadata.name, 'a');
  const afterDelete = events.slice(events.indexOf(changes[1]!) + 1);
  t.true(afterDelete.length > 0 && afterDelete.every((e) => e.type === 'BOOKMARK'), JSON.stringify(events.map((e) => e.type)));
  t.is(afterDelete[0]!.object.metadata.resourceVersion, fake.resourceVersion);
  await fake.close();
});

test('watch from a compacted resourceVersion → ERROR event with 410 Expired; or HTTP 410', async (t) => {
  const { fake, req } = await setup();
  const old = fake.resourceVersion;
  fake.addPod({ metadata: { name: 'a', namespace: 'ns' }, spec: { nodeName: 'n1' } });
  fake.compactHistory();
  const res = await req(`/api/v1/pods?watch=true&resourceVersion=${old}`);
  t.is(res.status, 200);
  const [ev] = await readLines(res, 1);
  t.is(ev!.type, 'ERROR');
  t.like(ev!.object, { kind: 'Status', code: 410, reason: 'Expired' });
  t.regex(ev!.object.message, /^too old resource version: \d+ \(\d+\)$/);
  await fake.close();

  const strict = await FakeApiServer.start({ goneAsHttpStatus: true });
  const old2 = strict.resourceVersion;
  strict.addPod({ metadata: { name: 'a' }, spec: { nodeName: 'n1' } });
  strict.compactHistory();
  const r2 = await fetch(`${strict.url}/api/v1/pods?watch=true&resourceVersion=${old2}`, { headers: { Authorization: `Bearer ${strict.token}` } });
  t.is(r2.status, 410);
  await strict.close();
});

test('injected failures hit the next N matching requests only, with Retry-After', async (t) => {
  const { fake, req } = await setup();
  fake.fail({ method: 'GET', path: '/api/v1/nodes/n1', status: 429, retryAfterSeconds: 2, times: 2 });
  const a = await req('/api/v1/nodes/n1');
  t.is(a.status, 429);
  t.is(a.headers.get('retry-after'), '2');
  t.like(await a.json(), { kind: 'Status', reason: 'TooManyRequests', code: 429 });
  t.is((await req('/api/v1/nodes')).status, 200, 'other paths are not affected');
  t.is((await req('/api/v1/nodes/n1')).status, 429);
  t.is((await req('/api/v1/nodes/n1')).status, 200);
  fake.fail({ path: /nodes/, drop: true });
  await t.throwsAsync(() => req('/api/v1/nodes/n1'));
  fake.fail({ path: '/api/v1/nodes/n1', delayMs: 150 });
  const t0 = Date.now();
  t.is((await req('/api/v1/nodes/n1')).status, 200);
  t.true(Date.now() - t0 >= 140);
  await fake.close();
});

test('request log records method, path, query, content type and body', async (t) => {
  const { fake, req, patch } = await setup();
  await req('/api/v1/nodes?labelSelector=a%3Db');
  await patch('/api/v1/nodes/n1', 'application/merge-patch+json', { metadata: { labels: { a: 'b' } } });
  const [list, p] = fake.requests;
  t.like(list, { method: 'GET', path: '/api/v1/nodes', query: { labelSelector: 'a=b' }, status: 200 });
  t.like(p, { method: 'PATCH', path: '/api/v1/nodes/n1', contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b' } } } });
  t.is(fake.requestsMatching('PATCH', /^\/api\/v1\/nodes\//).length, 1);
  await fake.close();
});

test('stop makes the server unreachable; start brings it back on the same port', async (t) => {
  const { fake, req } = await setup();
  const port = fake.port;
  await fake.stop();
  await t.throwsAsync(() => req('/api/v1/nodes'));
  await fake.start();
  t.is(fake.port, port);
  t.is((await req('/api/v1/nodes')).status, 200);
  await fake.close();
});

test('pod logs: container, previous, tailLines, limitBytes and the real 400 wordings', async (t) => {
  const { fake, req } = await setup();
  fake.addPod({ metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1', initContainers: [{ name: 'istio-init' }], containers: [{ name: 'app' }] } });
  fake.setPodLog('ns', 'p', 'istio-init', 'one\ntwo\nthree\n', { previous: true });
  const base = '/api/v1/namespaces/ns/pods/p/log';
  t.is(await (await req(`${base}?container=istio-init&previous=true&tailLines=2`)).text(), 'two\nthree\n');
  t.is(await (await req(`${base}?container=istio-init&previous=true&limitBytes=5`)).text(), 'one\nt');
  const noPrev = await req(`${base}?container=app&previous=true`);
  t.is(noPrev.status, 400);
  t.is((await noPrev.json()).message, 'previous terminated container "app" in pod "p" not found');
  const ambiguous = await req(base);
  t.regex((await ambiguous.json()).message, /a container name must be specified for pod p, choose one of: \[istio-init app\]/);
  await fake.close();
});

test('events: core/v1 and events.k8s.io/v1 POSTs are stored; TokenReview maps tokens to users', async (t) => {
  const { fake, req } = await setup();
  const post = (path: string, body: unknown) => req(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const r = await post('/api/v1/namespaces/ns/events', { metadata: { generateName: 'p.' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'X', type: 'Warning' });
  t.is(r.status, 201);
  t.is(fake.events.length, 1);
  t.regex(fake.events[0]!.metadata.name, /^p\./);
  t.is((await post('/api/v1/namespaces/other/events', { metadata: { name: 'e', namespace: 'ns' }, involvedObject: {} })).status, 400);
  t.is((await post('/apis/events.k8s.io/v1/namespaces/ns/events', { metadata: { name: 'e2' }, regarding: { kind: 'Pod' } })).status, 201);
  const good = await (await post('/apis/authentication.k8s.io/v1/tokenreviews', { spec: { token: 'good-token' } })).json();
  t.like(good.status, { authenticated: true, user: { username: 'system:serviceaccount:mon:prom', groups: ['g1'] } });
  const bad = await (await post('/apis/authentication.k8s.io/v1/tokenreviews', { spec: { token: 'nope' } })).json();
  t.not(bad.status.authenticated, true);
  await fake.close();
});

test('dropWatches closes open watch connections', async (t) => {
  const { fake, req } = await setup();
  const res = await req(`/api/v1/pods?watch=true&resourceVersion=${fake.resourceVersion}`);
  t.is(fake.openWatches, 1);
  fake.dropWatches();
  await t.throwsAsync(async () => {
    const reader = res.body!.getReader();
    for (;;) {
      const { done } = await reader.read();
      if (done) throw new Error('ended');
    }
  });
  t.is(fake.openWatches, 0);
  await fake.close();
});

test.serial('ConfigMaps: GET by name, 404 and RBAC 403 as Status bodies with the API server\'s wording, other verbs 405', async (t) => {
  const { fake, req } = await setup();
  fake.setConfigMap('istio-system', 'istio', { mesh: 'trustDomain: cluster.local' });
  const ok = await req('/api/v1/namespaces/istio-system/configmaps/istio');
  t.is(ok.status, 200);
  t.like(await ok.json(), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'trustDomain: cluster.local' } });
  const missing = await req('/api/v1/namespaces/istio-system/configmaps/istio-cni-config');
  t.is(missing.status, 404);
  t.like(await missing.json(), { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "istio-cni-config" not found', details: { name: 'istio-cni-config', kind: 'configmaps' } });
  fake.forbid('istio-system', 'istio');
  const denied = await req('/api/v1/namespaces/istio-system/configmaps/istio');
  t.is(denied.status, 403);
  const body = await denied.json();
  t.like(body, { kind: 'Status', reason: 'Forbidden', code: 403 });
  t.regex(body.message, /^configmaps "istio" is forbidden: User ".+" cannot get resource "configmaps" in API group "" in the namespace "istio-system"$/);
  t.is((await req('/api/v1/namespaces/istio-system/configmaps/istio', { method: 'DELETE' })).status, 405);
  await fake.close();
});
