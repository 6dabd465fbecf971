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
  t.deepEqual(res.json(), { nodes });
});

for (const [ready, expected] of [['false', ['node-b']], ['true', ['node-a']], ['unknown', ['node-c']]] as const) {
  test(`GET /v1/nodes?ready=${ready} filters`, async (t) => {
    const app = serverFor(t, { reports: new FakeReports(), nodes: fakeNodes(nodes) });
    const res = await app.inject({ method: 'GET', url: `/v1/nodes?ready=${ready}` });
    t.is(res.statusCode, 200);
    t.deepEqual(res.json<{ nodes: NodeReadiness[] }>().nodes.map((n) => n.name), [...expected]);
  });
}

for (const query of ['ready=no', 'ready=TRUE', 'ready=', 'ready=true&ready=false', 'redy=false']) {
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
