import test from 'ava';
import { createMetrics } from '../../src/api/metrics.ts';
import { buildServer } from '../../src/api/server.ts';
import { FakeReports } from './fakes.ts';
import { buildReport, check, finding, mod } from './report-fixture.ts';
import { serverFor } from './server-helpers.ts';
import { samplesOf, valueOf } from './prom-text.ts';

const before = buildReport({
  checks: [check('kernel', 'pass'), check('modules', 'fail'), check('rules-dry-run', 'skip')],
  modules: [mod('ip_tables', 'loaded'), mod('xt_REDIRECT', 'missing'), mod('xt_owner', 'loadable')],
  backend: 'legacy',
  initContainers: [finding({ pod: 'web-0', category: 'missing-module' }), finding({ pod: 'web-1', category: 'missing-module' })],
});

const after = buildReport({
  checks: [check('kernel', 'pass'), check('modules', 'warn')],
  modules: [mod('ip_tables', 'loaded'), mod('xt_REDIRECT', 'loaded')],
  backend: 'nft',
  initContainers: [
    // The same two failures seen again (by the watcher this time), plus a new restart and a new category.
    finding({ pod: 'web-0', category: 'missing-module', source: 'watch', observedAt: '2025-01-01T00:10:00Z' }),
    finding({ pod: 'web-1', category: 'missing-module' }),
    finding({ pod: 'web-1', category: 'missing-module', restartCount: 2 }),
    finding({ pod: 'api-0', category: 'backend-mismatch' }),
  ],
  generatedAt: '2025-01-02T00:00:00.000Z',
});

test('/metrics reflects the first report: one series per state, 1 for the current one', async (t) => {
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.updateFromReport(before, 1.5);
  const app = serverFor(t, { reports: new FakeReports(before), metrics });
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  t.is(res.statusCode, 200);
  t.regex(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const text = res.body;

  t.is(valueOf(text, 'mesh_preflight_check_status', { check: 'modules', status: 'fail' }), 1);
  t.is(valueOf(text, 'mesh_preflight_check_status', { check: 'modules', status: 'pass' }), 0);
  t.is(valueOf(text, 'mesh_preflight_check_status', { check: 'rules-dry-run', status: 'skip' }), 1);
  t.is(samplesOf(text, 'mesh_preflight_check_status', { check: 'kernel' }).length, 4);
  t.is(valueOf(text, 'mesh_preflight_module_state', { module: 'xt_REDIRECT', state: 'missing' }), 1);
  t.is(valueOf(text, 'mesh_preflight_module_state', { module: 'xt_owner', state: 'loadable' }), 1);
  t.is(valueOf(text, 'mesh_preflight_iptables_backend', { backend: 'legacy' }), 1);
  t.is(valueOf(text, 'mesh_preflight_iptables_backend', { backend: 'nft' }), 0);
  t.deepEqual(samplesOf(text, 'mesh_preflight_ready').map((s) => [s.labels.verdict, s.value]), [['not-ready', 0]]);
  t.is(valueOf(text, 'mesh_preflight_init_container_failures_total', { category: 'missing-module' }), 2);
  t.is(valueOf(text, 'mesh_preflight_check_duration_seconds_count'), 1);
  t.is(valueOf(text, 'mesh_preflight_check_duration_seconds_sum'), 1.5);
  t.is(valueOf(text, 'mesh_preflight_check_duration_seconds_bucket', { le: '1' }), 0);
  t.is(valueOf(text, 'mesh_preflight_check_duration_seconds_bucket', { le: '2.5' }), 1);
  t.is(valueOf(text, 'mesh_preflight_kube_write_errors_total'), 0);
  t.is(valueOf(text, 'mesh_preflight_report_timestamp_seconds'), Date.parse('2025-01-02T03:04:05.000Z') / 1000);
});

test('/metrics after a second, different report: state changes shown, stale series gone, findings counted once', async (t) => {
  const metrics = createMetrics({ defaultMetrics: false });
  const reports = new FakeReports(before);
  metrics.updateFromReport(before, 1.5);
  metrics.updateFromReport(after, 0.2);
  reports.current = after;
  const app = serverFor(t, { reports, metrics });
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;

  t.is(valueOf(text, 'mesh_preflight_check_status', { check: 'modules', status: 'warn' }), 1);
  t.is(valueOf(text, 'mesh_preflight_check_status', { check: 'modules', status: 'fail' }), 0);
  t.deepEqual(samplesOf(text, 'mesh_preflight_check_status', { check: 'rules-dry-run' }), [], 'a dropped check leaves no series');

  t.is(valueOf(text, 'mesh_preflight_module_state', { module: 'xt_REDIRECT', state: 'loaded' }), 1);
  t.is(valueOf(text, 'mesh_preflight_module_state', { module: 'xt_REDIRECT', state: 'missing' }), 0);
  t.deepEqual(samplesOf(text, 'mesh_preflight_module_state', { module: 'xt_owner' }), []);
  t.is(samplesOf(text, 'mesh_preflight_module_state').filter((s) => s.value === 1).length, 2, 'one current state per module');

  t.is(valueOf(text, 'mesh_preflight_iptables_backend', { backend: 'nft' }), 1);
  t.is(valueOf(text, 'mesh_preflight_iptables_backend', { backend: 'legacy' }), 0);
  t.deepEqual(samplesOf(text, 'mesh_preflight_ready').map((s) => [s.labels.verdict, s.value]), [['degraded', 1]]);

  t.is(valueOf(text, 'mesh_preflight_init_container_failures_total', { category: 'missing-module' }), 3);
  t.is(valueOf(text, 'mesh_preflight_init_container_failures_total', { category: 'backend-mismatch' }), 1);
  t.is(valueOf(text, 'mesh_preflight_check_duration_seconds_count'), 2);
  t.is(valueOf(text, 'mesh_preflight_check_duration_seconds_sum'), 1.7);
});

test('a report without iptables data leaves no backend series', (t) => {
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.updateFromReport(before);
  metrics.updateFromReport(buildReport({ backend: null }));
  return metrics.registry.metrics().then((text) => {
    t.deepEqual(samplesOf(text, 'mesh_preflight_iptables_backend'), []);
    t.is(valueOf(text, 'mesh_preflight_check_duration_seconds_count'), 0, 'no duration given, nothing observed');
  });
});

test('/metrics syncs the gauges to the latest report on scrape, without observing a duration', async (t) => {
  const metrics = createMetrics({ defaultMetrics: false });
  const reports = new FakeReports();
  const app = serverFor(t, { reports, metrics });
  const empty = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.deepEqual(samplesOf(empty, 'mesh_preflight_ready'), []);

  reports.current = before;
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.is(valueOf(text, 'mesh_preflight_ready', { verdict: 'not-ready' }), 0);
  t.is(valueOf(text, 'mesh_preflight_check_status', { check: 'modules', status: 'fail' }), 1);
  t.is(valueOf(text, 'mesh_preflight_check_duration_seconds_count'), 0);
  t.is(metrics.lastReport, before);
});

test('onKubeWriteError counts', async (t) => {
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.onKubeWriteError();
  metrics.onKubeWriteError();
  t.is(valueOf(await metrics.registry.metrics(), 'mesh_preflight_kube_write_errors_total'), 2);
});

test('two metric sets do not share a registry, and the global one stays empty of ours', async (t) => {
  const { register } = await import('prom-client');
  const a = createMetrics({ defaultMetrics: false });
  const b = createMetrics({ defaultMetrics: false });
  a.onKubeWriteError();
  t.is(valueOf(await b.registry.metrics(), 'mesh_preflight_kube_write_errors_total'), 0);
  t.false((await register.metrics()).includes('mesh_preflight_'));
});

test('default process metrics are served by default', async (t) => {
  const app = buildServer({ reports: new FakeReports(before) });
  t.teardown(() => app.close());
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.true(samplesOf(text, 'process_cpu_user_seconds_total').length === 1);
  t.true(samplesOf(text, 'nodejs_heap_size_total_bytes').length === 1);
  t.is(valueOf(text, 'mesh_preflight_check_status', { check: 'modules', status: 'fail' }), 1);
});
