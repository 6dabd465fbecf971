/** Issue 16 extends the report additively: reports written before it still parse, and new fields validate. */
import test from 'ava';
import { ReportSchema, type Report } from '../../src/core/report.ts';

const before: unknown = {
  schemaVersion: 1,
  node: 'worker-1',
  mesh: 'istio',
  verdict: 'ready',
  generatedAt: '2026-11-27T03:40:00.000Z',
  options: { mesh: 'istio', backend: 'auto', dnsCapture: false, interception: 'redirect', ipv6: false, probe: false, hostRoot: '/' },
  kernel: { release: '5.15.0-91-generic' },
  os: { id: 'ubuntu' },
  checks: [],
  modules: [],
  iptables: { backend: 'nft', meshBackend: 'nft', meshBackendSource: 'auto', modes: [{ backend: 'nft', ready: true, missing: [], notLoaded: [] }] },
};

test('a report from before issue 16 parses unchanged (no modes, warnings or new options)', (t) => {
  const report = ReportSchema.parse(before);
  t.is(report.modes, undefined);
  t.is(report.warnings, undefined);
  t.is(report.options.dataplane, undefined);
});

test('new options, modes (with the optional autoload of issue 17) and warnings validate', (t) => {
  const report: Report = ReportSchema.parse({
    ...(before as object),
    mesh: 'consul',
    options: {
      ...(before as { options: object }).options,
      mesh: 'consul',
      dataplane: 'sidecar',
      nativeNftables: false,
      cni: true,
      meshVersion: '1.8',
      optionSources: { mesh: 'flag', cni: 'flag', dataplane: 'default', ipv6: 'auto', nativeNftables: 'cluster' },
    },
    modes: [
      { mesh: 'consul', dataplane: 'sidecar', backend: 'nft', selected: true, ready: true, missing: [], notLoaded: [], autoload: { value: 'yes', reason: 'modprobe reachable' } },
      { mesh: 'consul', dataplane: 'sidecar', backend: 'legacy', ready: false, missing: ['ip_tables'], notLoaded: [], probe: { ok: false, detail: 'x' } },
    ],
    warnings: ['w'],
  });
  t.is(report.modes?.[1]?.unknown.length, 0, 'unknown defaults to []');
  t.throws(() => ReportSchema.parse({ ...(before as object), modes: [{ mesh: 'istio', dataplane: 'waypoint', backend: 'nft', ready: true, missing: [], notLoaded: [] }] }));
  t.throws(() => ReportSchema.parse({ ...(before as object), options: { ...(before as { options: object }).options, optionSources: { mesh: 'guess' } } }));
});
