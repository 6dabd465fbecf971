/**
 * End-to-end, the built CLI on the runbook's host (test/fixtures/hosts/rocky-8: Rocky 8, SELinux enforcing,
 * ip_tables and iptable_raw not loaded): not-ready in both modes, naming the modules and the cause; after
 * `fix --persist` and a boot (systemd-modules-load loads the file: modelled by test/helpers/boot-host.ts,
 * the fixture .ko files being placeholders) both modes pass.
 */
import test from 'ava';
import { execa } from 'execa';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema } from '../../src/core/report.ts';
import { loadIntoFixture, modulesLoadList } from '../helpers/boot-host.ts';
import { CLI_PATH } from '../helpers/cli.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = CLI_PATH;
const run = (args: string[]) => execa(process.execPath, [cli, ...args], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' } });

const dirs: string[] = [];
test.after.always(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function runbookCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mp-autoload-e2e-'));
  dirs.push(dir);
  const host = path.join(dir, 'rocky-8');
  await cp(path.join(repo, 'test/fixtures/hosts/rocky-8'), host, { recursive: true, verbatimSymlinks: true });
  return host;
}

const MODES = [
  { name: 'legacy --dns-capture', flags: ['--backend', 'legacy', '--dns-capture'], names: ['iptable_raw', 'ip_tables'], cause: /legacy iptables cannot bootstrap without ip_tables loaded; SELinux enforcing: pods cannot autoload modules/ },
  { name: 'nft', flags: ['--backend', 'nft'], names: ['xt_REDIRECT', 'xt_owner'], cause: /SELinux enforcing: pods cannot autoload modules/ },
] as const;

test('the runbook case: not-ready (exit 1) in both modes before fix, passing after fix --persist and a boot', async (t) => {
  const host = await runbookCopy();
  for (const mode of MODES) {
    const before = await run(['check', '--host-root', host, ...mode.flags, '--output', 'json']);
    t.is(before.exitCode, 1, `${mode.name}: ${before.stderr}`);
    const report = ReportSchema.parse(JSON.parse(before.stdout));
    t.is(report.verdict, 'not-ready', mode.name);
    const modules = report.checks.find((c) => c.id === 'modules')!;
    t.is(modules.status, 'fail');
    for (const name of mode.names) t.regex(modules.summary, new RegExp(`\\b${name}\\b`), `${mode.name} names ${name}`);
    t.regex(modules.summary, mode.cause);
    t.regex(modules.summary, /load them on the host: mesh-preflight fix --now --persist/);
    t.true(modules.remediation[0]?.startsWith('SELinux enforcing') || modules.remediation[0]?.startsWith('legacy iptables'), modules.remediation[0]);
    t.true(modules.evidence.some((e) => e.includes('/sys/fs/selinux/enforce: 1')), 'the cause is in the evidence');
  }

  const table = await run(['check', '--host-root', host, '--backend', 'legacy', '--dns-capture', '--output', 'table']);
  t.regex(table.stdout, /iptable_raw/);
  t.regex(table.stdout, /SELinux enforcing: pods cannot autoload modules/);
  t.regex(table.stdout.trimEnd().split('\n').at(-1)!, /^Verdict: NOT READY/);

  // fix --persist for both modes (the second run adds to the file we own), then the node boots.
  for (const mode of MODES) {
    const fix = await run(['fix', '--host-root', host, ...mode.flags, '--persist', '--yes', '--output', 'table']);
    t.regex(fix.stdout, /ok {3}persist \/etc\/modules-load\.d\/99-mesh-preflight\.conf/, fix.stdout);
  }
  const listed = await modulesLoadList(path.join(host, 'etc/modules-load.d/99-mesh-preflight.conf'));
  for (const name of ['iptable_raw', 'ip_tables', 'xt_REDIRECT', 'xt_owner', 'xt_CT']) t.true(listed.includes(name), name);
  await loadIntoFixture(host, listed);

  for (const mode of MODES) {
    const after = await run(['check', '--host-root', host, ...mode.flags, '--output', 'json']);
    t.is(after.exitCode, 0, `${mode.name} after the fix: ${after.stdout.slice(0, 2000)}`);
    const report = ReportSchema.parse(JSON.parse(after.stdout));
    t.not(report.verdict, 'not-ready');
    t.is(report.checks.find((c) => c.id === 'modules')?.status, 'pass', mode.name);
  }
});

test('modules disabled: fix does not try modprobe and says a reboot is needed after persisting', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mp-autoload-e2e-'));
  dirs.push(dir);
  const host = path.join(dir, 'host');
  await cp(path.join(repo, 'test/fixtures/hosts/modules-disabled'), host, { recursive: true, verbatimSymlinks: true });
  const check = await run(['check', '--host-root', host, '--output', 'json']);
  t.is(check.exitCode, 1);
  const modules = ReportSchema.parse(JSON.parse(check.stdout)).checks.find((c) => c.id === 'modules')!;
  t.regex(modules.summary, /kernel\.modules_disabled=1/);
  t.true(modules.remediation.some((r) => /then reboot the node/.test(r)));
  t.false(modules.remediation.some((r) => r.includes('modprobe -a')), 'no modprobe advice while loading is disabled');

  const fix = await run(['fix', '--host-root', host, '--now', '--persist', '--yes', '--output', 'json']);
  const out = JSON.parse(fix.stdout);
  t.deepEqual(out.actions.filter((a: { kind: string }) => a.kind === 'modprobe'), [], 'modprobe is not tried');
  t.true(out.plan.rebootNeeded);
  t.true(out.plan.notes.some((n: string) => /Reboot the node after persisting/.test(n)));
  t.deepEqual(await modulesLoadList(path.join(host, 'etc/modules-load.d/99-mesh-preflight.conf')), ['xt_REDIRECT', 'xt_owner']);
});

test('install-blocked: fix names the modprobe.d file and line instead of trying iptable_raw', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mp-autoload-e2e-'));
  dirs.push(dir);
  const host = path.join(dir, 'host');
  await cp(path.join(repo, 'test/fixtures/hosts/install-blocked'), host, { recursive: true, verbatimSymlinks: true });
  const fix = await run(['fix', '--host-root', host, '--backend', 'legacy', '--dns-capture', '--output', 'table']);
  t.is(fix.exitCode, 1);
  t.regex(fix.stdout, /Blocked by modprobe\.d, not tried: iptable_raw .*: \/etc\/modprobe\.d\/hardening\.conf:5: install iptable_raw \/bin\/false/);
  t.false(/modprobe .*-- iptable_raw/.test(fix.stdout), 'no modprobe line for the blocked module');
  t.false(/^\s+\| iptable_raw$/m.test(fix.stdout), 'not persisted either');
});
