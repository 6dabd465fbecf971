import test from 'ava';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HostRoot } from '../../src/host/root.ts';
import type { Report } from '../../src/core/report.ts';
import { applyForAgent, planOnlyForAgent, runFix, type FixCommandDeps, type FixCommandOptions } from '../../src/cli/commands/fix.ts';
import { PERSIST_PATH, renderPersistFile } from '../../src/fix/persist-file.ts';
import { BOOT_ID_PATH, RECORD_PATH } from '../../src/fix/boot-record.ts';
import { ALLOWED, CENTOS8, centos8Report, recordingExec, removeTempRoots, report, tempRoot } from './helpers.ts';

test.after.always(removeTempRoots);

const privileged = { capSysModule: true, euid: 0, evidence: [] };
const opts = (o: Partial<FixCommandOptions> = {}): FixCommandOptions => ({ yes: false, now: false, persist: false, undo: false, force: false, output: 'table', ...o });

/** The CentOS 8 host after modprobe: the three tables are now loaded. */
function fixedReport(): Report {
  const r = centos8Report('ready');
  return { ...r, modules: r.modules.map((m) => (m.state === 'loadable' ? { ...m, state: 'loaded', source: '/proc/modules' } : m)) };
}

async function setup(afterReport: Report = fixedReport()) {
  const root = await tempRoot();
  const rec = recordingExec();
  let checks = 0;
  const deps: FixCommandDeps = {
    check: async () => (checks++ === 0 ? centos8Report() : afterReport),
    exec: rec.exec,
    host: new HostRoot(root),
    allowedModules: ALLOWED,
    os: CENTOS8,
    privilege: privileged,
  };
  return { root, deps, calls: rec.calls, checkCount: () => checks };
}

test('without --yes: prints the plan, runs nothing, writes nothing', async (t) => {
  const { root, deps, calls } = await setup();
  const result = await runFix(opts(), deps);
  t.is(calls.length, 0);
  await t.throwsAsync(stat(path.join(root, PERSIST_PATH)), { code: 'ENOENT' });
  t.regex(result.stdout, /Load now:\n {2}\$ modprobe -d \S+ -S 4\.18\.0-348\.7\.1\.el8_5\.x86_64 -- iptable_filter/);
  t.regex(result.stdout, /Persist: Create \/etc\/modules-load\.d\/99-mesh-preflight\.conf/);
  t.regex(result.stdout, /Dry run: nothing changed\. Re-run with --yes to apply\./);
  t.is(result.exitCode, 1, 'the node is not ready as it stands');
});

test('--yes (default both): modprobes each loadable module, persists, re-checks and shows before → after', async (t) => {
  const { root, deps, calls, checkCount } = await setup();
  const result = await runFix(opts({ yes: true }), deps);
  t.deepEqual(
    calls.map((c) => c.args.at(-1)),
    ['iptable_filter', 'iptable_mangle', 'iptable_nat'],
  );
  t.true(calls.every((c) => c.file === 'modprobe' && c.args.includes('-d') && c.args.includes(root)), 'host root module tree used from a container');
  t.is(checkCount(), 2, 'checked before and after');
  t.regex(await readFile(path.join(root, PERSIST_PATH), 'utf8'), /^# mesh-preflight-owned: v1\n[\s\S]*\niptable_nat\n/);
  t.regex(result.stdout, /Verdict: not-ready → ready/);
  t.regex(result.stdout, / {2}iptable_nat: loadable → loaded/);
  t.regex(result.stdout, / {2}iptable_mangle: loadable → loaded/);
  t.is(result.exitCode, 0);
});

test('exit 1 when the node is still not ready after the fix', async (t) => {
  const { deps } = await setup(centos8Report('not-ready'));
  const result = await runFix(opts({ yes: true, now: true }), deps);
  t.is(result.exitCode, 1);
  t.regex(result.stdout, /iptable_nat: loadable → loadable/);
});

test('--now only: no file; --persist only: no modprobe', async (t) => {
  const a = await setup();
  await runFix(opts({ yes: true, now: true }), a.deps);
  t.is(a.calls.length, 3);
  await t.throwsAsync(stat(path.join(a.root, PERSIST_PATH)), { code: 'ENOENT' });

  const b = await setup();
  await runFix(opts({ yes: true, persist: true }), b.deps);
  t.is(b.calls.length, 0);
  t.truthy(await stat(path.join(b.root, PERSIST_PATH)));
});

test('--undo with --now or --persist is a usage error (exit 2) and runs no check', async (t) => {
  const { deps, calls, checkCount } = await setup();
  const r1 = await runFix(opts({ undo: true, now: true }), deps);
  const r2 = await runFix(opts({ undo: true, persist: true, yes: true }), deps);
  t.is(r1.exitCode, 2);
  t.is(r2.exitCode, 2);
  t.regex(r1.stderr, /--undo cannot be combined/);
  t.is(calls.length + checkCount(), 0);
});

test('--undo: dry run first, then removes only our file', async (t) => {
  const { root, deps } = await setup();
  const file = path.join(root, PERSIST_PATH);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, renderPersistFile(['iptable_nat']));
  const dry = await runFix(opts({ undo: true }), deps);
  t.regex(dry.stdout, /Would remove/);
  t.truthy(await stat(file));
  const done = await runFix(opts({ undo: true, yes: true }), deps);
  t.is(done.exitCode, 0);
  t.regex(done.stdout, /removed/);
  await t.throwsAsync(stat(file), { code: 'ENOENT' });

  await writeFile(file, 'br_netfilter\n');
  const foreign = await runFix(opts({ undo: true, yes: true }), deps);
  t.regex(foreign.stdout, /left alone/);
  t.is(await readFile(file, 'utf8'), 'br_netfilter\n');
});

test('--output json carries the plan, the actions and the after report with its fixes', async (t) => {
  const { deps } = await setup();
  const result = await runFix(opts({ yes: true, output: 'json' }), deps);
  const parsed = JSON.parse(result.stdout);
  t.is(parsed.dryRun, false);
  t.deepEqual(parsed.verdict, { before: 'not-ready', after: 'ready' });
  t.is(parsed.actions.length, 4);
  t.is(parsed.report.fixes.length, 4);
  t.deepEqual(parsed.changes[0], { module: 'iptable_filter', before: 'loadable', after: 'loaded' });
});

test('on the node itself (host root /) modprobe gets no -d/-S', async (t) => {
  const rec = recordingExec();
  let n = 0;
  await runFix(opts({ yes: true, now: true }), {
    check: async () => (n++ === 0 ? centos8Report() : fixedReport()),
    exec: rec.exec,
    host: new HostRoot('/'),
    allowedModules: ALLOWED,
    os: CENTOS8,
    privilege: privileged,
  });
  t.deepEqual(rec.calls[0]!.args, ['--', 'iptable_filter']);
});

test('agent: each module is modprobed at most once per boot, again after a reboot', async (t) => {
  const root = await tempRoot();
  const host = new HostRoot(root);
  await mkdir(path.join(root, path.dirname(BOOT_ID_PATH)), { recursive: true });
  await writeFile(path.join(root, BOOT_ID_PATH), 'b1f3a0c2-0000-4000-8000-000000000001\n');
  const rec = recordingExec(() => ({ ok: false, stderr: 'modprobe: FATAL: Module iptable_nat not found in directory /lib/modules/x\n' }));
  const deps = { exec: rec.exec, host, allowedModules: ALLOWED, os: CENTOS8, privilege: privileged };

  const first = await applyForAgent(centos8Report(), 'now', deps);
  t.is(rec.calls.length, 3);
  t.true(first.actions.every((a) => a.kind === 'modprobe' && !a.ok));
  const record = JSON.parse(await readFile(path.join(root, RECORD_PATH), 'utf8'));
  t.deepEqual(record, { bootId: 'b1f3a0c2-0000-4000-8000-000000000001', attempted: ['iptable_filter', 'iptable_mangle', 'iptable_nat'] });

  const second = await applyForAgent(centos8Report(), 'now', deps);
  t.is(rec.calls.length, 3, 'not retried in the same boot');
  t.deepEqual(second.actions, []);

  await writeFile(path.join(root, BOOT_ID_PATH), 'b1f3a0c2-0000-4000-8000-000000000002\n');
  await applyForAgent(centos8Report(), 'now', deps);
  t.is(rec.calls.length, 6, 'tried again after a reboot');
});

test('agent: off does nothing; persist writes the file and never modprobes; never forces over a foreign file', async (t) => {
  const root = await tempRoot();
  const host = new HostRoot(root);
  const rec = recordingExec();
  const deps = { exec: rec.exec, host, allowedModules: ALLOWED, os: CENTOS8, privilege: privileged };
  t.deepEqual(await applyForAgent(centos8Report(), 'off', deps), { actions: [] });
  t.is(await planOnlyForAgent(centos8Report(), 'off', deps), undefined);

  const persisted = await applyForAgent(centos8Report(), 'persist', deps);
  t.is(rec.calls.length, 0);
  t.like(persisted.actions[0], { kind: 'persist', ok: true });
  const again = await applyForAgent(centos8Report(), 'persist', deps);
  t.deepEqual(again.actions, [], 'an up-to-date file yields no action on re-checks');
  t.like(again.plan?.persistStep, { kind: 'write', change: 'unchanged' });

  const other = await tempRoot();
  await mkdir(path.join(other, path.dirname(PERSIST_PATH)), { recursive: true });
  await writeFile(path.join(other, PERSIST_PATH), 'br_netfilter\n');
  const plan = await planOnlyForAgent(centos8Report(), 'both', { ...deps, host: new HostRoot(other) });
  t.is(plan?.persistStep?.kind, 'foreign-file');
});

test('agent: an invalid module name in the report stops everything', async (t) => {
  const root = await tempRoot();
  const rec = recordingExec();
  const r = report([{ name: 'iptable_nat', state: 'loadable' }, { name: 'xt_owner;rm', state: 'loadable' }]);
  const result = await applyForAgent(r, 'both', { exec: rec.exec, host: new HostRoot(root), allowedModules: ALLOWED, os: CENTOS8, privilege: privileged });
  t.is(rec.calls.length, 0);
  await t.throwsAsync(stat(path.join(root, PERSIST_PATH)), { code: 'ENOENT' });
  t.true(result.actions.every((a) => !a.ok));
});
