import test from 'ava';
import { criLogText, looksLikeCriLog, parseCriLog } from '../../src/host/parse/cri-log.ts';

test('full lines on both streams, in file order', (t) => {
  const p = parseCriLog('2024-05-01T10:00:00.123456789Z stdout F hello\n2024-05-01T10:00:01+02:00 stderr F world\n');
  t.deepEqual(p.entries, [
    { time: '2024-05-01T10:00:00.123456789Z', stream: 'stdout', text: 'hello' },
    { time: '2024-05-01T10:00:01+02:00', stream: 'stderr', text: 'world' },
  ]);
  t.is(p.garbage, 0);
  t.is(p.lines, 2);
});

test('partial lines are joined per stream until F, even when interleaved', (t) => {
  const p = parseCriLog(
    [
      '2024-05-01T10:00:00Z stderr P iptables-restore: unable',
      '2024-05-01T10:00:00Z stdout F other stream',
      "2024-05-01T10:00:00Z stderr P  to initialize",
      "2024-05-01T10:00:00Z stderr F  table 'nat'",
    ].join('\n'),
  );
  t.deepEqual(p.entries.map((e) => [e.stream, e.text]), [
    ['stdout', 'other stream'],
    ['stderr', "iptables-restore: unable to initialize table 'nat'"],
  ]);
});

test('garbage lines are tolerated and counted; a trailing P is kept as partial', (t) => {
  const p = parseCriLog('not a record\n2024-13-01 stdout F bad time\n\n2024-05-01T10:00:00Z stdboth F x\n2024-05-01T10:00:00Z stdout P cut\n');
  t.is(p.garbage, 4);
  t.deepEqual(p.entries, [{ time: '2024-05-01T10:00:00Z', stream: 'stdout', text: 'cut', partial: true }]);
});

test('empty text and tag-less early format', (t) => {
  t.deepEqual(parseCriLog('2024-05-01T10:00:00Z stdout F\n').entries[0]?.text, '');
  t.deepEqual(parseCriLog('2024-05-01T10:00:00Z stdout hello there\n').entries[0]?.text, 'hello there');
  t.deepEqual(parseCriLog('').entries, []);
});

test('detects CRI text and joins it back', (t) => {
  const text = '2024-05-01T10:00:00Z stdout F a\n2024-05-01T10:00:00Z stderr F b\n';
  t.true(looksLikeCriLog(text));
  t.false(looksLikeCriLog('plain\nkubectl logs output\n'));
  t.is(criLogText(parseCriLog(text)), 'a\nb');
});

test('fuzz: random and huge input never throws, stays bounded', (t) => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const parts = ['2024-05-01T10:00:00Z', ' ', 'stdout', 'stderr', 'P', 'F', 'x', '\n', '\r\n', ':'];
  for (let i = 0; i < 300; i++) {
    let s = '';
    for (let j = 0; j < 500; j++) s += parts[Math.floor(rnd() * parts.length)];
    t.notThrows(() => parseCriLog(s));
  }
  const endlessPartial = '2024-05-01T10:00:00Z stdout P ' + 'y'.repeat(1000) + '\n';
  const huge = endlessPartial.repeat(11 * 1024);
  const start = Date.now();
  const p = parseCriLog(huge, 1000);
  t.true(Date.now() - start < 5000);
  t.true(p.entries.length <= 1000);
  t.true(p.entries.every((e) => e.text.length <= 1024 * 1024 + 1000));
});
