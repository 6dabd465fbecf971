/**
 * A log keeps its diagnosis however it was carried: escaped as HTML by an issue page, quoted in
 * markdown, prefixed by klog, journald or docker compose, wrapped in JSON or logfmt by a logger,
 * indented by kubectl describe, with typographic quotes from a blog. Every main-corpus log the
 * classifier gets right is re-dressed each way and must get the same answer.
 */
import test from 'ava';
import { classifyLog, type ClassifyContext } from '../../src/diagnose/classify.ts';
import { normalizeText, structuredLines, withoutRecordPrefix } from '../../src/diagnose/normalize.ts';
import { loadLogFixtures, type LogFixture } from './fixtures.ts';

const eachLine = (t: string, f: (l: string) => string): string => t.split('\n').map(f).join('\n');

const DRESSINGS: Record<string, (t: string) => string> = {
  'CRLF line ends': (t) => t.replace(/\n/g, '\r\n'),
  'markdown quote': (t) => eachLine(t, (l) => `> ${l}`),
  'klog header': (t) => eachLine(t, (l) => `E1127 06:00:00.123456       1 proxier.go:123] ${l}`),
  'journald header': (t) => eachLine(t, (l) => `Nov 27 06:00:00 node-1 kubelet[1234]: ${l}`),
  'docker compose prefix': (t) => eachLine(t, (l) => `vpn_1  | ${l}`),
  'JSON record per line': (t) => eachLine(t, (l) => JSON.stringify({ level: 'error', ts: '2026-11-27T06:00:00Z', msg: l })),
  'one JSON record': (t) => JSON.stringify({ level: 'error', msg: t }),
  // (a log of JSON records re-escaped inside one logrus string is not something any logger writes)
  'logrus text record': (t) => (t.includes('{"') ? t : `time="2026-11-27T06:00:00Z" level=error msg=${JSON.stringify(t)}`),
  'HTML entities': (t) => t.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  indented: (t) => eachLine(t, (l) => `    ${l}`),
  'typographic quotes': (t) => t.replace(/`/g, '\u2018').replace(/'/g, '\u2019'),
  'kubectl describe message': (t) => `    State:      Terminated\n      Reason:   Error\n      Message:  ${t.split('\n').join('\n                ')}\n      Exit Code:    1`,
};

function contextOf(f: LogFixture): ClassifyContext {
  return { exitCode: f.context?.exitCode, container: f.context?.container, backend: f.context?.backend };
}

const rightAsLogged = loadLogFixtures().filter((f) => f.mainCorpus && classifyLog(f.text, contextOf(f)).category === f.category);

test('the main corpus is large enough for this to mean something', (t) => {
  t.true(rightAsLogged.length >= 70, `${rightAsLogged.length} logs classified right as logged`);
});

for (const [dressing, dress] of Object.entries(DRESSINGS)) {
  test(`same diagnosis with ${dressing}`, (t) => {
    const changed: string[] = [];
    for (const f of rightAsLogged) {
      const r = classifyLog(dress(f.text), contextOf(f));
      if (r.category !== f.category || !f.modules.every((m) => r.modules.includes(m))) {
        changed.push(`${f.name}: ${f.category} [${f.modules.join(' ')}] became ${r.category} [${r.modules.join(' ')}]`);
      }
    }
    t.deepEqual(changed, []);
  });
}

test('a wrapper or logger around the one failing line does not hide it', (t) => {
  const line = "iptables v1.8.7 (legacy): can't initialize iptables table `nat': Table does not exist (do you need to insmod?)";
  for (const wrapped of [
    `2026-11-27T06:00:00.000000Z\terror\tfailed to apply iptables rules: exit status 3: ${line}`,
    `  Warning  Failed  3m  kubelet  Error: ${line}`,
    `time="2026-11-27T06:00:00Z" level=error msg="${line}"`,
  ]) {
    const r = classifyLog(wrapped);
    t.is(r.category, 'missing-iptables-table', wrapped);
    t.true(r.modules.includes('iptable_nat'), wrapped);
  }
  t.is(classifyLog('2026-11-27T06:00:00Z\terror\tinit failed: unknown flag: --redirect-all').category, 'config-error');
});

test('normalizeText decodes HTML entities and typographic quotes, and leaves plain text alone', (t) => {
  t.is(normalizeText('can&#39;t initialize iptables table &#x60;nat&#39;: &quot;x&quot; &lt;&gt; &amp;'), "can't initialize iptables table `nat': \"x\" <> &");
  t.is(normalizeText('can\u2019t initialize \u2018nat\u2019'), "can't initialize 'nat'");
  const plain = "iptables -t nat -A X -m comment --comment \"a & b\" -j RETURN && echo '&unknown;'";
  t.is(normalizeText(plain), plain);
  t.is(normalizeText('&#0; &#99999999;'), '&#0; &#99999999;', 'out-of-range code points stay as written');
});

test('structuredLines reads the message fields of a JSON record, and nothing else', (t) => {
  t.deepEqual(structuredLines('{"level":"error","msg":"failed","error":"exit status 3: a\\nb"}'), ['failed', 'exit status 3: a', 'b']);
  // zap's console encoder: the text before the fields is kept as a line of its own
  t.deepEqual(structuredLines('2021-01-11T10:03:31Z  ERROR  daemon  error while adding tc  {"error":"exit status 2, msg: x\\n"}'), ['2021-01-11T10:03:31Z  ERROR  daemon  error while adding tc', 'exit status 2, msg: x', '']);
  t.is(structuredLines('{"level":"error","msg":"cut off'), undefined, 'a truncated record');
  t.is(structuredLines('{"level":"info"}'), undefined, 'no message field');
  t.is(structuredLines('["a","b"]'), undefined);
  t.is(structuredLines('-A KUBE-SVC -m comment --comment "{\\"a\\":1}" -j X'), undefined, 'JSON inside a rule is not a record');
});

test('withoutRecordPrefix strips stacked collector headers but never the whole line', (t) => {
  t.is(withoutRecordPrefix('> Nov 27 06:00:00 node-1 dockerd[846]: iptables: No chain'), 'iptables: No chain');
  t.is(withoutRecordPrefix('E1127 06:00:00.123456       1 proxier.go:123] Failed to execute iptables-restore'), 'Failed to execute iptables-restore');
  t.is(withoutRecordPrefix('2026-11-27T06:00:00.123Z\terror\tfailed'), 'failed');
  t.is(withoutRecordPrefix('vpn_1  | iptables v1.8.7'), 'iptables v1.8.7');
  t.is(withoutRecordPrefix('-A ISTIO_OUTPUT -j RETURN'), '-A ISTIO_OUTPUT -j RETURN');
  t.is(withoutRecordPrefix('>'), '>', 'a line that is only a header stays');
});

// Every log of every set (the blind ones too) that is classified right as logged, for the dressings that
// need no line-structure repair: ~450 real logs.
function allSetLogs(): { name: string; text: string; category: string }[] {
  return loadLogFixtures()
    .filter((f) => classifyLog(f.text).category === f.category)
    .map((f) => ({ name: `${f.group}/${f.name}`, text: f.text, category: f.category }));
}

test('every set: the same diagnosis with HTML entities, typographic quotes, CRLF, JSON records and indentation', (t) => {
  const logs = allSetLogs();
  t.true(logs.length >= 400, `${logs.length} logs`);
  const changed: string[] = [];
  for (const log of logs) {
    for (const dressing of ['HTML entities', 'typographic quotes', 'CRLF line ends', 'JSON record per line', 'indented']) {
      const r = classifyLog(DRESSINGS[dressing]!(log.text));
      if (r.category !== log.category) changed.push(`${log.name} (${dressing}): ${log.category} became ${r.category}`);
    }
  }
  t.deepEqual(changed, []);
});
