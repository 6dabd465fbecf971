import test from 'ava';
import type { NodeReadiness } from '../../src/api/types.ts';
import { FakeReports, fakeNodes } from './fakes.ts';
import { buildReport } from './report-fixture.ts';
import { assertApiError, serverFor } from './server-helpers.ts';

const nodes: NodeReadiness[] = [
  {
    name: 'node-a',
    ready: 'true',
    backend: 'nft',
    mesh: 'istio',
    condition: { status: 'True', reason: 'MeshPreflightPassed', message: 'ready', lastHeartbeatTime: '2025-01-01T00:00:00Z' },
    summary: { verdict: 'ready', failing: [], missing: [], generatedAt: '2025-01-01T00:00:00Z' },
  },
  {
    name: 'node-b',
    ready: 'false',
    backend: 'legacy',
    condition: { status: 'False', reason: 'KernelModulesMissing', message: 'xt_REDIRECT missing' },
    summary: { verdict: 'not-ready', failing: ['modules'], missing: ['xt_REDIRECT'], generatedAt: '2025-01-01T00:00:00Z' },
  },
  { name: 'node-c', ready: 'unknown' },
];

test('GET /v1/nodes is 503 JSON without Kubernetes', async (t) => {
  const app = serverFor(t, { reports: new FakeReports(buildReport()) });
  const res = await app.inject({ method: 'GET', url: '/v1/nodes' });
  assertApiError(t, res, 503, 'kubernetes-unavailable');
});

test('GET /v1/nodes lists every node', async (t) => {
  const app = serverFor(t, { reports: new FakeReports(), nodes: fakeNodes(nodes) });
  const res = await app.inject({ method: 'GET', url: '/v1/nodes' });
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), { nodes, total: 3 });
});

test('GET /v1/nodes?q= filters by name part; ?limit=&continue= pages through every node', async (t) => {
  const many: NodeReadiness[] = Array.from({ length: 25 }, (_, i) => ({ name: `node-${String(i).padStart(2, '0')}`, ready: i % 5 === 0 ? 'false' : 'true' }));
  const app = serverFor(t, { reports: new FakeReports(), nodes: fakeNodes(many) });
  const q = await app.inject({ method: 'GET', url: '/v1/nodes?q=DE-1' });
  t.deepEqual(q.json<{ nodes: NodeReadiness[] }>().nodes.map((n) => n.name), many.slice(10, 20).map((n) => n.name));
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await app.inject({ method: 'GET', url: `/v1/nodes?limit=10${token ? `&continue=${token}` : ''}` });
    t.is(res.statusCode, 200);
    const body = res.json<{ nodes: NodeReadiness[]; total: number; continue?: string }>();
    t.is(body.total, 25);
    t.true(body.nodes.length <= 10);
    seen.push(...body.nodes.map((n) => n.name));
    token = body.continue;
    pages += 1;
  } while (token !== undefined);
  t.is(pages, 3);
  t.deepEqual(seen, many.map((n) => n.name));
  const notReady = await app.inject({ method: 'GET', url: '/v1/nodes?ready=false&limit=2' });
  const body = notReady.json<{ nodes: NodeReadiness[]; total: number; continue?: string }>();
  t.deepEqual([body.nodes.map((n) => n.name), body.total], [['node-00', 'node-05'], 5]);
  const rest = await app.inject({ method: 'GET', url: `/v1/nodes?ready=false&limit=2&continue=${body.continue}` });
  t.deepEqual(rest.json<{ nodes: NodeReadiness[] }>().nodes.map((n) => n.name), ['node-10', 'node-15']);
});

for (const [ready, expected] of [['false', ['node-b']], ['true', ['node-a']], ['unknown', ['node-c']]] as const) {
  test(`GET /v1/nodes?ready=${ready} filters`, async (t) => {
    const app = serverFor(t, { reports: new FakeReports(), nodes: fakeNodes(nodes) });
    const res = await app.inject({ method: 'GET', url: `/v1/nodes?ready=${ready}` });
    t.is(res.statusCode, 200);
    t.deepEqual(res.json<{ nodes: NodeReadiness[] }>().nodes.map((n) => n.name), [...expected]);
  });
}

for (const query of ['ready=no', 'ready=TRUE', 'ready=', 'ready=true&ready=false', 'redy=false', 'limit=0', 'limit=-1', 'limit=x', 'limit=5001', 'continue=bogus', `q=${'a'.repeat(254)}`]) {
  test(`GET /v1/nodes?${query} is 400 JSON`, async (t) => {
    const app = serverFor(t, { reports: new FakeReports(), nodes: fakeNodes(nodes) });
    const res = await app.inject({ method: 'GET', url: `/v1/nodes?${query}` });
    assertApiError(t, res, 400, 'bad-request');
  });
}

test('a bad query is 400 even without Kubernetes (input is checked first)', async (t) => {
  const app = serverFor(t, { reports: new FakeReports() });
  const res = await app.inject({ method: 'GET', url: '/v1/nodes?ready=maybe' });
  assertApiError(t, res, 400, 'bad-request');
});

test('a failing Kubernetes list is 502 JSON without its details', async (t) => {
  const app = serverFor(t, {
    reports: new FakeReports(),
    nodes: fakeNodes(new Error('HTTP-Code: 403 nodes is forbidden: User "system:serviceaccount:x" cannot list')),
  });
  const res = await app.inject({ method: 'GET', url: '/v1/nodes' });
  const body = assertApiError(t, res, 502, 'kubernetes-error');
  t.notRegex(body.message, /serviceaccount/);
});

test('a directory returning data outside the schema is a 500, not bad JSON', async (t) => {
  const app = serverFor(t, {
    reports: new FakeReports(),
    nodes: fakeNodes([{ name: 'node-x', ready: 'yes' } as unknown as NodeReadiness]),
  });
  const res = await app.inject({ method: 'GET', url: '/v1/nodes' });
  assertApiError(t, res, 500, 'internal');
});
