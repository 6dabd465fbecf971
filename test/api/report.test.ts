import test from 'ava';
import { ReportSchema } from '../../src/core/report.ts';
import { FakeReports } from './fakes.ts';
import { buildReport, check } from './report-fixture.ts';
import { assertApiError, serverFor } from './server-helpers.ts';

test('GET /v1/report is 503 JSON before the first report', async (t) => {
  const app = serverFor(t, { reports: new FakeReports() });
  const res = await app.inject({ method: 'GET', url: '/v1/report' });
  assertApiError(t, res, 503, 'no-report');
});

test('GET /v1/report returns the latest report, valid against ReportSchema', async (t) => {
  const report = buildReport({ checks: [check('kernel', 'pass'), check('iptables-backend', 'warn')] });
  const app = serverFor(t, { reports: new FakeReports(report) });
  const res = await app.inject({ method: 'GET', url: '/v1/report' });
  t.is(res.statusCode, 200);
  const body = ReportSchema.parse(res.json());
  t.deepEqual(body, report);
  t.is(body.verdict, 'degraded');
});

test('GET /v1/report serves one report\'s JSON from one validation, and the next run\'s report as soon as there is one', async (t) => {
  const first = buildReport({ checks: [check('kernel', 'pass')] });
  const reports = new FakeReports(first);
  const app = serverFor(t, { reports });
  const a = await app.inject({ method: 'GET', url: '/v1/report' });
  const b = await app.inject({ method: 'GET', url: '/v1/report' });
  t.is(a.headers['content-type'], 'application/json; charset=utf-8');
  t.is(a.body, b.body);
  t.deepEqual(ReportSchema.parse(a.json()), first);
  reports.current = buildReport({ checks: [check('kernel', 'fail', 'too old')], generatedAt: '2025-01-02T04:00:00.000Z' });
  const c = await app.inject({ method: 'GET', url: '/v1/report' });
  t.is(c.json().verdict, 'not-ready');
  t.is(c.json().generatedAt, '2025-01-02T04:00:00.000Z');
  // A report object is validated before its first byte goes out, also when it arrives later.
  reports.current = { ...buildReport(), verdict: 'sort-of' } as unknown as ReturnType<typeof buildReport>;
  assertApiError(t, await app.inject({ method: 'GET', url: '/v1/report' }), 500, 'internal');
});

test('GET /v1/report answers 500 without details when the report breaks the contract', async (t) => {
  const broken = { ...buildReport(), verdict: 'sort-of' } as unknown as ReturnType<typeof buildReport>;
  const app = serverFor(t, { reports: new FakeReports(broken) });
  const res = await app.inject({ method: 'GET', url: '/v1/report' });
  const body = assertApiError(t, res, 500, 'internal');
  t.notRegex(body.message, /sort-of|verdict/);
});

test('GET /v1/report/checks/:id returns one check', async (t) => {
  const report = buildReport({ checks: [check('kernel', 'pass'), check('modules', 'fail', 'xt_REDIRECT missing')] });
  const app = serverFor(t, { reports: new FakeReports(report) });
  const res = await app.inject({ method: 'GET', url: '/v1/report/checks/modules' });
  t.is(res.statusCode, 200);
  t.like(res.json(), { id: 'modules', status: 'fail', summary: 'xt_REDIRECT missing' });
});

test('GET /v1/report/checks/:id is 404 JSON for an unknown id', async (t) => {
  const app = serverFor(t, { reports: new FakeReports(buildReport()) });
  const res = await app.inject({ method: 'GET', url: '/v1/report/checks/no-such-check' });
  const body = assertApiError(t, res, 404, 'not-found');
  t.regex(body.message, /no-such-check/);
});

for (const bad of ['Kernel', 'kernel_modules', '9lives', 'a%20b', '-x', 'x'.repeat(64)]) {
  test(`GET /v1/report/checks/:id is 400 for the non-kebab id ${bad.slice(0, 12)}`, async (t) => {
    const app = serverFor(t, { reports: new FakeReports(buildReport()) });
    const res = await app.inject({ method: 'GET', url: `/v1/report/checks/${bad}` });
    const body = assertApiError(t, res, 400, 'bad-request');
    t.regex(body.message, /^id: /);
  });
}

test('GET /v1/report/checks/:id is 503 before the first report (for a valid id)', async (t) => {
  const app = serverFor(t, { reports: new FakeReports() });
  const res = await app.inject({ method: 'GET', url: '/v1/report/checks/kernel' });
  assertApiError(t, res, 503, 'no-report');
});
