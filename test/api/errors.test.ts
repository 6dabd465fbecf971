import test from 'ava';
import { buildServer } from '../../src/api/server.ts';
import { FakeReports } from './fakes.ts';
import { buildReport } from './report-fixture.ts';
import { assertApiError, serverFor } from './server-helpers.ts';

for (const [method, url] of [['GET', '/nope'], ['GET', '/v1/reports'], ['DELETE', '/v1/report'], ['PUT', '/metrics']] as const) {
  test(`${method} ${url} is a 404 JSON`, async (t) => {
    const app = serverFor(t, { reports: new FakeReports(buildReport()) });
    const res = await app.inject({ method, url });
    const body = assertApiError(t, res, 404, 'not-found');
    t.true(body.message.includes(url));
  });
}

test('the not-found message does not echo the query string', async (t) => {
  const app = serverFor(t, { reports: new FakeReports() });
  const res = await app.inject({ method: 'GET', url: '/nope?token=secret' });
  const body = assertApiError(t, res, 404, 'not-found');
  t.false(body.message.includes('secret'));
});

test('a latest() that throws is a 500 and the server keeps serving', async (t) => {
  let fail = true;
  const report = buildReport();
  const app = serverFor(t, {
    reports: {
      latest() {
        if (fail) throw new Error('state corrupted at /app/src/agent.ts:10:3');
        return report;
      },
      async recheck() {
        return report;
      },
    },
  });
  assertApiError(t, await app.inject({ method: 'GET', url: '/v1/report' }), 500, 'internal');
  fail = false;
  t.is((await app.inject({ method: 'GET', url: '/v1/report' })).statusCode, 200);
  t.is((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('buildServer does not listen', async (t) => {
  const app = buildServer({ reports: new FakeReports() });
  t.teardown(() => app.close());
  await app.ready();
  t.false(app.server.listening);
});
