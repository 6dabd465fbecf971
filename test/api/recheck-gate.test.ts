import test from 'ava';
import { RecheckGate } from '../../src/api/recheck-gate.ts';

test('the gate admits one run at a time and then waits out the interval', (t) => {
  let now = 1_000_000;
  const gate = new RecheckGate(10_000, () => now);
  const first = gate.tryStart();
  if (!first.ok) return t.fail('first run refused');
  t.like(gate.tryStart(), { ok: false, reason: 'busy', retryAfterSeconds: 10 });

  now += 2_000;
  first.done();
  first.done(); // idempotent: a second call must not move the end time
  now += 2_500;
  t.like(gate.tryStart(), { ok: false, reason: 'too-soon', retryAfterSeconds: 8 });

  now += 7_499;
  t.like(gate.tryStart(), { ok: false, reason: 'too-soon', retryAfterSeconds: 1 });
  now += 1;
  t.true(gate.tryStart().ok);
});

test('with no interval the gate only refuses concurrent runs', (t) => {
  const gate = new RecheckGate(0, () => 0);
  const a = gate.tryStart();
  t.like(gate.tryStart(), { ok: false, reason: 'busy', retryAfterSeconds: 1 });
  if (a.ok) a.done();
  t.true(gate.tryStart().ok);
});
