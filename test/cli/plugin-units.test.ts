import test from 'ava';
import { joinWithPublished } from '../../src/diagnose/join-published.ts';
import { pickTarget } from '../../src/cli/plugin/diagnose-pod.ts';
import { rowOf } from '../../src/cli/plugin/nodes.ts';
import { age, formatTable } from '../../src/cli/plugin/table.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');

test('age reads like kubectl get', (t) => {
  t.is(age('2026-12-07T11:59:15Z', NOW), '45s');
  t.is(age('2026-12-07T11:48:00Z', NOW), '12m');
  t.is(age('2026-12-07T09:30:00Z', NOW), '2h30m');
  t.is(age('2026-12-06T12:00:00Z', NOW), '24h');
  t.is(age('2026-12-04T08:00:00Z', NOW), '3d4h');
  t.is(age('2026-11-01T00:00:00Z', NOW), '36d');
  t.is(age(undefined, NOW), '<none>');
  t.is(age('yesterday', NOW), '<unknown>');
});

test('tables pad every column but the last, three spaces apart', (t) => {
  t.deepEqual(formatTable(['NAME', 'X'], [['a', '1'], ['long-name', '22']]), ['NAME        X', 'a           1', 'long-name   22']);
});

test('rows from metadata alone: the annotation decides; nothing published is never checked', (t) => {
  const annotation = JSON.stringify({ verdict: 'degraded', failing: [], warning: ['sysctl'], missingModules: [], generatedAt: '2026-12-07T11:00:00Z' });
  const row = rowOf({ name: 'w1', labels: { 'mesh-preflight.io/ready': 'true', 'mesh-preflight.io/iptables-backend': 'nft', 'mesh-preflight.io/mesh': 'istio' }, annotations: { 'mesh-preflight.io/report': annotation } });
  t.like(row, { name: 'w1', status: 'degraded', backend: 'nft', mesh: 'istio', checkedAt: '2026-12-07T11:00:00Z' });
  t.is(rowOf({ name: 'w2', labels: {}, annotations: {} }).status, 'unchecked');
  t.is(rowOf({ name: 'w3', labels: {}, annotations: { 'mesh-preflight.io/report': '{"verdict":' } }).status, 'unchecked', 'a broken annotation is not a verdict');
});

test('join with a published summary: missing modules explain it; others are said to be not missing; backend mismatch named', (t) => {
  const summary = { verdict: 'not-ready' as const, failing: ['modules'], warning: [], missing: ['iptable_nat'] };
  const j = joinWithPublished({ modules: ['iptable_nat', 'ip_tables'], backend: 'legacy' }, { name: 'w2', backend: 'nft', summary });
  t.true(j.explainedHere);
  t.deepEqual(j.modules.map((m) => [m.name, m.state]), [['iptable_nat', 'missing'], ['ip_tables', 'unknown']]);
  t.true(j.lines.some((l) => /rules are in nft: configure the mesh for nft/.test(l)));
  t.true(j.lines.some((l) => /failing checks modules/.test(l)));
  const none = joinWithPublished({ modules: ['xt_owner'] }, { name: 'w4' });
  t.is(none.explainedHere, undefined);
  t.regex(none.lines[0]!, /no published mesh-preflight report/);
  const cut = joinWithPublished({ modules: ['xt_owner'] }, { name: 'w5', summary: { ...summary, missing: [], truncated: true } });
  t.regex(cut.lines[0]!, /truncated/);
});

const pod = (init: unknown[], main: unknown[] = []) => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: { initContainers: init.map((s) => ({ name: (s as { name: string }).name })), containers: [{ name: 'app' }, ...main.map((s) => ({ name: (s as { name: string }).name }))] },
  status: { initContainerStatuses: init, containerStatuses: main },
});
const crashloop = (name: string, code: number) => ({ name, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: code } } });
const terminated = (name: string, code: number) => ({ name, restartCount: 0, state: { terminated: { exitCode: code, reason: 'Error' } } });

test('pickTarget: the failed mesh init container first, previous log after a restart, the current one otherwise', (t) => {
  t.like(pickTarget(pod([terminated('setup', 1), crashloop('istio-init', 126)]) as never), { container: 'istio-init', exitCode: 126, previous: true, reason: 'CrashLoopBackOff' });
  t.like(pickTarget(pod([terminated('linkerd-init', 1)]) as never), { container: 'linkerd-init', exitCode: 1, previous: false });
  t.like(pickTarget(pod([terminated('setup', 3)]) as never), { container: 'setup', exitCode: 3 });
  t.like(pickTarget(pod([{ name: 'istio-init', restartCount: 0, state: { terminated: { exitCode: 0 } } }]) as never, 'istio-init'), { container: 'istio-init', exitCode: 0, previous: false });
  t.throws(() => pickTarget(pod([{ name: 'istio-init', restartCount: 0, state: { terminated: { exitCode: 0 } } }]) as never), { message: /has no failed container/ });
  t.throws(() => pickTarget(pod([]) as never, 'nope'), { message: /-c nope: pod ns\/p has no such container; it has: app/ });
});
