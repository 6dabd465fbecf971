import test from 'ava';
import type { Report } from '../../src/core/report.ts';
import { RecheckBusyError, RecheckTooSoonError } from '../../src/api/types.ts';
import type { RecheckAuthorizer } from '../../src/api/types.ts';
import { FakeReports, deferred } from './fakes.ts';
import { buildReport, check } from './report-fixture.ts';
import { assertApiError, serverFor } from './server-helpers.ts';

const first = buildReport({ checks: [check('modules', 'fail')], generatedAt: '2025-01-01T00:00:00.000Z' });
const second = buildReport({ checks: [check('modules', 'pass')], generatedAt: '2025-01-01T00:05:00.000Z' });

test('POST /v1/recheck runs the checks and returns the new report', async (t) => {
  const reports = new FakeReports(first, async () => second);
  const app = serverFor(t, { reports });
  const res = await app.inject({ method: 'POST', url: '/v1/recheck' });
  t.is(res.statusCode, 200);
  t.like(res.json(), { verdict: 'ready', generatedAt: '2025-01-01T00:05:00.000Z' });
  t.is(reports.rechecks, 1);
  const after = await app.inject({ method: 'GET', url: '/v1/report' });
  t.is(after.json<Report>().generatedAt, '2025-01-01T00:05:00.000Z');
});

test('a second recheck right after the first is 429 with Retry-After (default interval 10 s)', async (t) => {
  let now = 50_000;
  const reports = new FakeReports(first, async () => second);
  const app = serverFor(t, { reports, now: () => now });
  t.is((await app.inject({ method: 'POST', url: '/v1/recheck' })).statusCode, 200);

  now += 3_000;
  const res = await app.inject({ method: 'POST', url: '/v1/recheck' });
  assertApiError(t, res, 429, 'too-many-requests');
  t.is(res.headers['retry-after'], '7');
  t.is(reports.rechecks, 1, 'the refused request ran nothing');

  now += 7_000;
  t.is((await app.inject({ method: 'POST', url: '/v1/recheck' })).statusCode, 200);
  t.is(reports.rechecks, 2);
});

test('the interval is configurable', async (t) => {
  let now = 0;
  const app = serverFor(t, {
    reports: new FakeReports(first, async () => second),
    recheck: { minIntervalMs: 60_000 },
    now: () => now,
  });
  await app.inject({ method: 'POST', url: '/v1/recheck' });
  now += 1_000;
  const res = await app.inject({ method: 'POST', url: '/v1/recheck' });
  t.is(res.statusCode, 429);
  t.is(res.headers['retry-after'], '59');
});

test('a recheck while one is in flight is 429 busy; only one run happens', async (t) => {
  const gate = deferred<Report>();
  const reports = new FakeReports(first, () => gate.promise);
  const app = serverFor(t, { reports, recheck: { minIntervalMs: 0 } });

  const slow = app.inject({ method: 'POST', url: '/v1/recheck' });
  // Let the first request reach the source before the second arrives.
  while (reports.rechecks === 0) await new Promise((resolve) => setImmediate(resolve));
  const busy = await app.inject({ method: 'POST', url: '/v1/recheck' });
  const body = assertApiError(t, busy, 429, 'too-many-requests');
  t.regex(body.message, /in progress/);
  t.is(busy.headers['retry-after'], '1');

  gate.resolve(second);
  t.is((await slow).statusCode, 200);
  t.is(reports.rechecks, 1);
  t.is((await app.inject({ method: 'POST', url: '/v1/recheck' })).statusCode, 200, 'free again once done');
});

test('the source\'s own busy / too-soon errors become 429 with its Retry-After', async (t) => {
  const reports = new FakeReports(first, async () => {
    throw new RecheckBusyError(4);
  });
  const app = serverFor(t, { reports, recheck: { minIntervalMs: 0 } });
  const busy = await app.inject({ method: 'POST', url: '/v1/recheck' });
  assertApiError(t, busy, 429, 'too-many-requests');
  t.is(busy.headers['retry-after'], '4');

  reports.onRecheck = async () => {
    throw new RecheckTooSoonError(2.2);
  };
  const soon = await app.inject({ method: 'POST', url: '/v1/recheck' });
  assertApiError(t, soon, 429, 'too-many-requests');
  t.is(soon.headers['retry-after'], '3');
});

test('a recheck that throws is 500 JSON without stack, and the last report is still served', async (t) => {
  const reports = new FakeReports(first, async () => {
    throw new TypeError('cannot read properties of undefined (reading "modules") at /app/src/core/runner.ts:42:7');
  });
  const app = serverFor(t, { reports, recheck: { minIntervalMs: 0 } });
  const res = await app.inject({ method: 'POST', url: '/v1/recheck' });
  const body = assertApiError(t, res, 500, 'internal');
  t.notRegex(body.message, /runner|modules|TypeError/);

  const still = await app.inject({ method: 'GET', url: '/v1/report' });
  t.is(still.statusCode, 200);
  t.is(still.json<Report>().generatedAt, first.generatedAt);
  t.is((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
});

test('a failed recheck also starts the interval', async (t) => {
  let now = 0;
  const reports = new FakeReports(first, async () => {
    throw new Error('boom');
  });
  const app = serverFor(t, { reports, now: () => now });
  t.is((await app.inject({ method: 'POST', url: '/v1/recheck' })).statusCode, 500);
  now += 1_000;
  t.is((await app.inject({ method: 'POST', url: '/v1/recheck' })).statusCode, 429);
});

test('disabled rechecks are 403 JSON and run nothing', async (t) => {
  const reports = new FakeReports(first, async () => second);
  const app = serverFor(t, { reports, recheck: { enabled: false } });
  const res = await app.inject({ method: 'POST', url: '/v1/recheck' });
  assertApiError(t, res, 403, 'recheck-disabled');
  t.is(reports.rechecks, 0);
});

test('GET /v1/recheck is a 404 JSON (only POST is routed)', async (t) => {
  const app = serverFor(t, { reports: new FakeReports(first) });
  const res = await app.inject({ method: 'GET', url: '/v1/recheck' });
  assertApiError(t, res, 404, 'not-found');
});

function authorizerAllowing(token: string, seen: (string | undefined)[]): RecheckAuthorizer {
  return async (header) => {
    seen.push(header);
    return header === `Bearer ${token}` ? { allowed: true } : { allowed: false, reason: 'token not bound to a recheck role' };
  };
}

test('with an authorizer, a recheck without a bearer token is 401 with a challenge', async (t) => {
  const seen: (string | undefined)[] = [];
  const reports = new FakeReports(first, async () => second);
  const app = serverFor(t, { reports, recheck: { authorizer: authorizerAllowing('good', seen) } });

  for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer ' }]) {
    const res = await app.inject({ method: 'POST', url: '/v1/recheck', headers });
    assertApiError(t, res, 401, 'unauthorized');
    t.regex(String(res.headers['www-authenticate']), /^Bearer /);
  }
  t.deepEqual(seen, [], 'the authorizer is not asked without a token');
  t.is(reports.rechecks, 0);
});

test('with an authorizer, a denied token is 403 with its reason and an allowed one runs', async (t) => {
  const seen: (string | undefined)[] = [];
  const reports = new FakeReports(first, async () => second);
  const app = serverFor(t, { reports, recheck: { authorizer: authorizerAllowing('good', seen), minIntervalMs: 0 } });

  const denied = await app.inject({ method: 'POST', url: '/v1/recheck', headers: { authorization: 'Bearer bad' } });
  const body = assertApiError(t, denied, 403, 'forbidden');
  t.is(body.message, 'token not bound to a recheck role');
  t.is(reports.rechecks, 0);

  const allowed = await app.inject({ method: 'POST', url: '/v1/recheck', headers: { authorization: 'Bearer good' } });
  t.is(allowed.statusCode, 200);
  t.is(reports.rechecks, 1);
  t.deepEqual(seen, ['Bearer bad', 'Bearer good']);
});

test('an authorizer that throws is a 500 and runs nothing', async (t) => {
  const reports = new FakeReports(first, async () => second);
  const app = serverFor(t, {
    reports,
    recheck: {
      authorizer: async () => {
        throw new Error('TokenReview: connect ECONNREFUSED 10.96.0.1:443');
      },
    },
  });
  const res = await app.inject({ method: 'POST', url: '/v1/recheck', headers: { authorization: 'Bearer x' } });
  const body = assertApiError(t, res, 500, 'internal');
  t.notRegex(body.message, /ECONNREFUSED/);
  t.is(reports.rechecks, 0);
});

test('a malformed JSON body is 400 JSON', async (t) => {
  const reports = new FakeReports(first, async () => second);
  const app = serverFor(t, { reports });
  const res = await app.inject({
    method: 'POST',
    url: '/v1/recheck',
    headers: { 'content-type': 'application/json' },
    payload: '{"force": tru',
  });
  assertApiError(t, res, 400, 'bad-request');
  t.is(reports.rechecks, 0);
});

test('an oversized body is 413 JSON', async (t) => {
  const app = serverFor(t, { reports: new FakeReports(first, async () => second) });
  const res = await app.inject({
    method: 'POST',
    url: '/v1/recheck',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ pad: 'x'.repeat(64 * 1024) }),
  });
  assertApiError(t, res, 413, 'payload-too-large');
});
