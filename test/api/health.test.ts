import test from 'ava';
import { FakeReports } from './fakes.ts';
import { buildReport } from './report-fixture.ts';
import { assertApiError, serverFor } from './server-helpers.ts';

test('/healthz is 200 even before the first report', async (t) => {
  const app = serverFor(t, { reports: new FakeReports() });
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), { status: 'ok' });
});

test('/readyz is 503 before the first report and 200 once it exists', async (t) => {
  const reports = new FakeReports();
  const app = serverFor(t, { reports });
  const before = await app.inject({ method: 'GET', url: '/readyz' });
  assertApiError(t, before, 503, 'no-report');

  reports.current = buildReport({ generatedAt: '2025-03-04T05:06:07.000Z' });
  const after = await app.inject({ method: 'GET', url: '/readyz' });
  t.is(after.statusCode, 200);
  t.like(after.json(), { status: 'ready', verdict: 'ready', generatedAt: '2025-03-04T05:06:07.000Z' });
});
