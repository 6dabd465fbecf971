import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runDiagnose } from '../../src/cli/commands/diagnose.ts';
import { DiagnoseOutputSchema } from '../../src/diagnose/types.ts';
import { ReportSchema } from '../../src/core/report.ts';
import { logPath } from './fixtures.ts';

const raw = logPath('istio-28897-restore-nat');

test('file input, JSON output validates and names the modules', async (t) => {
  const run = await runDiagnose({ file: raw }, { output: 'json' });
  t.is(run.exitCode, 0);
  const out = DiagnoseOutputSchema.parse(JSON.parse(run.stdout));
  t.is(out.category, 'missing-iptables-table');
  t.deepEqual(out.modules, ['iptable_nat', 'ip_tables']);
  t.is(out.table, 'nat');
  t.true(out.findings.length >= 1);
  t.is(out.node, undefined);
});

test('stdin (`-`) with a CRI log; human output leads with cause and fix', async (t) => {
  const cri = "2024-05-01T10:00:00.1Z stderr P iptables v1.8.7 (legacy): Couldn't load match `ow\n2024-05-01T10:00:00.2Z stderr F ner':No such file or directory\n";
  const run = await runDiagnose({ file: '-', stdin: Readable.from([cri]) }, { output: 'table' });
  t.is(run.exitCode, 0);
  const [first, second] = run.stdout.split('\n');
  t.regex(first ?? '', /^missing-xtables-extension \(node problem\): /);
  t.regex(second ?? '', /^Fix: On this node: modprobe xt_owner/);
});

test('unreadable file: exit 2 and a one-line error naming it', async (t) => {
  const run = await runDiagnose({ file: '/nonexistent/x.log' }, { output: 'table' });
  t.is(run.exitCode, 2);
  t.is(run.stdout, '');
  t.is(run.stderr.trim().split('\n').length, 1);
  t.regex(run.stderr, /\/nonexistent\/x\.log: no such file/);
});

test('empty input: unknown, exit 0, says so', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'diag-'));
  const empty = path.join(dir, 'empty.log');
  await writeFile(empty, '');
  const run = await runDiagnose({ file: empty }, { output: 'json' });
  t.is(run.exitCode, 0);
  const out = JSON.parse(run.stdout);
  t.is(out.category, 'unknown');
  t.false(out.nodeProblem);
  t.regex(out.explanation, /empty/);
});

test('with the node report: join lines in JSON and table output', async (t) => {
  const report = ReportSchema.parse({
    schemaVersion: 1,
    node: 'n1',
    mesh: 'istio',
    verdict: 'degraded',
    generatedAt: '2024-05-01T00:00:00Z',
    options: { mesh: 'istio', backend: 'auto', dnsCapture: false, interception: 'redirect', ipv6: false, probe: false, hostRoot: '/' },
    kernel: {},
    os: {},
    checks: [],
    modules: [
      { name: 'iptable_nat', state: 'loadable', source: 'modules.dep' },
      { name: 'ip_tables', state: 'loaded', source: '/proc/modules' },
    ],
  });
  const json = await runDiagnose({ file: raw }, { output: 'json', node: { report: async () => report } });
  const out = DiagnoseOutputSchema.parse(JSON.parse(json.stdout));
  t.is(out.node?.explainedHere, true);
  t.regex(out.node?.lines[0] ?? '', /iptable_nat is loadable but not loaded here/);
  const table = await runDiagnose({ file: raw }, { output: 'table', node: { report: async () => report } });
  t.regex(table.stdout, /On this node:\n {2}- iptable_nat is loadable/);
  const failing = await runDiagnose({ file: raw }, { output: 'table', node: { report: async () => { throw new Error('boom'); } } });
  t.is(failing.exitCode, 0);
  t.regex(failing.stdout, /node report unavailable: boom/);
});

test('huge stdin is bounded and still diagnosed from the tail', async (t) => {
  const filler = 'x'.repeat(1023) + '\n';
  async function* gen() {
    for (let i = 0; i < 12 * 1024; i++) yield filler;
    yield "iptables-restore: unable to initialize table 'mangle'\n";
  }
  const run = await runDiagnose({ file: '-', stdin: Readable.from(gen()) }, { output: 'json' });
  t.is(JSON.parse(run.stdout).table, 'mangle');
});
