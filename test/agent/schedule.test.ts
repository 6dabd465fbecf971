import test from 'ava';
import { every, jittered, parseDuration } from '../../src/agent/schedule.ts';
import { ReportRunner } from '../../src/agent/report-runner.ts';
import type { Report } from '../../src/core/report.ts';

test('parseDuration accepts Go-style durations and rejects the rest', (t) => {
  t.is(parseDuration('10m'), 600_000);
  t.is(parseDuration('1h30m'), 5_400_000);
  t.is(parseDuration('500ms'), 500);
  t.is(parseDuration('2.5s'), 2500);
  t.is(parseDuration('10'), undefined);
  t.is(parseDuration('ten minutes'), undefined);
  t.is(parseDuration(''), undefined);
});

test('jittered stays within ±jitter', (t) => {
  t.is(jittered(1000, 0.1, () => 0), 900);
  t.is(jittered(1000, 0.1, () => 1), 1100);
  t.is(jittered(1000, 0, () => 0.7), 1000);
});

test('every runs repeatedly and stops', async (t) => {
  let calls = 0;
  const ticker = every(5, 0, async () => {
    calls += 1;
  });
  // Wait for three runs however slow the machine is (bounded), rather than a fixed 80 ms.
  const deadline = Date.now() + 10_000;
  while (calls < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  ticker.stop();
  const seen = calls;
  t.true(seen >= 3, `ran ${seen} times`);
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.is(calls, seen, 'no call after stop');
});

const fakeReport = (verdict: Report['verdict']) => ({ verdict }) as Report;

test('ReportRunner shares a run in flight and keeps the last good report on failure', async (t) => {
  let runs = 0;
  let fail = false;
  const runner = new ReportRunner(async () => {
    runs += 1;
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (fail) throw new Error('iptables-save timed out');
    return fakeReport('ready');
  });
  await t.throwsAsync(async () => {
    fail = true;
    await runner.run();
  });
  t.is(runner.latest(), undefined, 'no report before the first good run');
  fail = false;
  const [a, b] = await Promise.all([runner.run(), runner.run()]);
  t.is(a, b);
  t.is(runs, 2);
  fail = true;
  const kept = await runner.run();
  t.is(kept.report.verdict, 'ready', 'serves the last good report');
  t.is(runner.lastFailure(), 'iptables-save timed out');
});

test('ReportRunner listeners: a throwing one does not stop the others', async (t) => {
  const runner = new ReportRunner(async () => fakeReport('degraded'));
  const seen: string[] = [];
  runner.onReport(() => {
    throw new Error('API server away');
  });
  runner.onReport(({ report }) => {
    seen.push(report.verdict);
  });
  await runner.run();
  t.deepEqual(seen, ['degraded']);
});
