/**
 * End-to-end: the bundled CLI (test/helpers/cli.ts CLI_PATH; `npm test` builds it first), run as a user would.
 */
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema } from '../../src/core/report.ts';
import { CLI_PATH } from '../helpers/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = CLI_PATH;
const fixture = (name: string) => path.join(root, 'test/fixtures/hosts', name);

function run(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return execa(process.execPath, [cli, ...args], { reject: false, timeout: 60_000, input: options.input, env: options.env });
}

const thisMachineIsMonolithic = process.platform === 'linux' && !(await import('node:fs')).existsSync('/proc/modules');

test('check on this machine: exits 0 and the JSON report validates', async (t) => {
  const result = await run(['--output', 'json']);
  t.is(result.exitCode, 0, result.stderr);
  const report = ReportSchema.parse(JSON.parse(result.stdout));
  t.not(report.verdict, 'not-ready');
  t.true(report.modules.length >= 8);
  if (thisMachineIsMonolithic) {
    // This kernel has no loadable modules at all: everything the mesh needs is built in.
    for (const m of report.modules) t.is(m.state, 'builtin', `${m.name}: ${m.source}`);
  }
});

test('check on the lacks-module fixture exits 1 naming the module', async (t) => {
  const result = await run(['check', '--host-root', fixture('lacks-module'), '--output', 'json']);
  t.is(result.exitCode, 1, result.stderr);
  const report = ReportSchema.parse(JSON.parse(result.stdout));
  t.is(report.verdict, 'not-ready');
  const modules = report.checks.find((c) => c.id === 'modules');
  t.is(modules?.status, 'fail');
  t.regex(modules?.summary ?? '', /xt_owner/);
  t.is(report.modules.find((m) => m.name === 'xt_owner')?.state, 'missing');
});

test('table output ends with one verdict line and lists the failing remedy', async (t) => {
  const result = await run(['--host-root', fixture('lacks-module'), '--output', 'table'], { env: { NO_COLOR: '1' } });
  t.is(result.exitCode, 1);
  const lines = result.stdout.trimEnd().split('\n');
  t.regex(lines.at(-1)!, /^Verdict: NOT READY/);
  t.regex(result.stdout, /To fix/);
  t.regex(result.stdout, /xt_owner/);
  t.false(result.stdout.includes('\u001b['), 'no colour codes with NO_COLOR or when not a TTY');
});

test('--strict turns degraded into exit 1', async (t) => {
  const loose = await run(['--output', 'json']);
  const report = ReportSchema.parse(JSON.parse(loose.stdout));
  const strict = await run(['--output', 'json', '--strict']);
  t.is(strict.exitCode, report.verdict === 'ready' ? 0 : 1);
});

test('usage errors: one line, exit 2, no stack trace', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--mesh', 'consul'], /--mesh.*consul|consul.*--mesh/],
    [['--host-root', '/does/not/exist'], /--host-root/],
    [['--backend', 'ebpf'], /--backend/],
    [['--no-such-flag'], /no-such-flag/],
    [['--init-container', 'Bad_Name'], /--init-container/],
  ];
  for (const [args, pattern] of cases) {
    const result = await run(args);
    t.is(result.exitCode, 2, args.join(' '));
    t.regex(result.stderr, pattern);
    t.is(result.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${result.stderr}`);
    t.false(/\n\s+at /.test(result.stderr), 'no stack trace');
    t.is(result.stdout, '');
  }
});

test('--help and --version exit 0', async (t) => {
  const help = await run(['--help']);
  t.is(help.exitCode, 0);
  t.regex(help.stdout, /check/);
  const version = await run(['--version']);
  t.is(version.exitCode, 0);
  t.regex(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('diagnose: a real log from a file, stdin, an empty log and an unreadable file', async (t) => {
  // test/fixtures/logs/*.source cites where each log comes from.
  const logs = path.join(root, 'test/fixtures/logs');
  const fromFile = await run(['diagnose', path.join(logs, 'cilium-lvh-40-match-recent.log'), '--output', 'json']);
  t.is(fromFile.exitCode, 0, fromFile.stderr);
  const diagnosis = JSON.parse(fromFile.stdout);
  t.is(diagnosis.category, 'missing-xtables-extension');
  t.deepEqual(diagnosis.modules, ['xt_recent']);

  const { readFileSync } = await import('node:fs');
  const fromStdin = await run(['diagnose', '-', '--output', 'json'], { input: readFileSync(path.join(logs, 'cilium-lvh-40-match-recent.log'), 'utf8') });
  t.deepEqual(JSON.parse(fromStdin.stdout).modules, ['xt_recent']);

  const empty = await run(['diagnose', '--output', 'json'], { input: '' });
  t.is(empty.exitCode, 0);
  t.is(JSON.parse(empty.stdout).category, 'unknown');

  const missing = await run(['diagnose', '/does/not/exist.log']);
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, /\/does\/not\/exist\.log/);
  t.is(missing.stderr.trim().split('\n').length, 1);
});

test('diagnose --on-node joins the node check', async (t) => {
  const result = await run(
    ['diagnose', '--on-node', '--host-root', fixture('lacks-module'), '--output', 'json'],
    { input: "iptables v1.8.7 (legacy): Couldn't load match `owner':No such file or directory\n" },
  );
  t.is(result.exitCode, 0, result.stderr);
  const output = JSON.parse(result.stdout);
  t.true(output.modules.includes('xt_owner'));
  t.truthy(output.node, 'joined with the node report');
  t.regex(JSON.stringify(output.node), /xt_owner/);
});

test('fix --persist on a copy of the runbook node writes exactly the modules found not loaded; a second run changes nothing; --undo removes it', async (t) => {
  const { cp, mkdtemp, readFile, stat, readdir } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const host = path.join(await mkdtemp(path.join(tmpdir(), 'mp-fix-e2e-')), 'rocky-8');
  await cp(fixture('rocky-8'), host, { recursive: true });
  const check = await run(['check', '--host-root', host, '--backend', 'legacy', '--output', 'json']);
  const notLoaded = ReportSchema.parse(JSON.parse(check.stdout)).modules.filter((m) => m.state === 'loadable').map((m) => m.name).sort();
  t.true(notLoaded.includes('iptable_nat'));

  const dryRun = await run(['fix', '--host-root', host, '--backend', 'legacy', '--persist', '--output', 'table']);
  t.is(dryRun.exitCode, 0, dryRun.stderr);
  t.regex(dryRun.stdout, /Dry run: nothing changed/);
  t.deepEqual(await readdir(path.join(host, 'etc')), ['os-release'], 'the dry run wrote nothing');

  const apply = await run(['fix', '--host-root', host, '--backend', 'legacy', '--persist', '--yes', '--output', 'json']);
  t.is(apply.exitCode, 0, apply.stderr);
  const file = path.join(host, 'etc/modules-load.d/99-mesh-preflight.conf');
  const listed = (await readFile(file, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).sort();
  t.deepEqual(listed, notLoaded);
  const before = await stat(file);

  const again = await run(['fix', '--host-root', host, '--backend', 'legacy', '--persist', '--yes', '--output', 'table']);
  t.is(again.exitCode, 0);
  t.regex(again.stdout, /already up to date/);
  const after = await stat(file);
  t.is(after.mtimeMs, before.mtimeMs);
  t.is(after.ino, before.ino);

  const undo = await run(['fix', '--host-root', host, '--undo', '--yes', '--output', 'table']);
  t.is(undo.exitCode, 0);
  t.deepEqual(await readdir(path.join(host, 'etc/modules-load.d')), []);
});

test('without root: the checks that need privileges skip with the reason, nothing crashes', async (t) => {
  if (process.getuid?.() !== 0) return t.pass('already unprivileged: covered by the run above');
  const nobody = { uid: 65534, gid: 65534 };
  const readable = await execa(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(cli)})`], { ...nobody, reject: false });
  if (readable.exitCode !== 0) {
    t.log(`SKIPPED: uid 65534 cannot read ${cli} in this checkout (${readable.stderr.split('\n')[0]})`);
    return t.pass();
  }
  const result = await execa(process.execPath, [cli, '--probe', '--output', 'json'], { ...nobody, reject: false, timeout: 60_000 });
  t.not(result.exitCode, 2, result.stderr);
  const report = ReportSchema.parse(JSON.parse(result.stdout));
  const backend = report.checks.find((c) => c.id === 'iptables-backend')!;
  t.is(backend.status, 'skip');
  t.regex(backend.summary, /privilege|root/i);
  const dryRun = report.checks.find((c) => c.id === 'rules-dry-run')!;
  t.is(dryRun.status, 'skip');
  t.regex(dryRun.summary, /privilege|root|CAP_/i);
});
