/**
 * End-to-end: the bundled CLI (test/helpers/cli.ts CLI_PATH; `npm test` builds it first), run as a user would.
 */
import test from 'ava';
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema } from '../../src/core/report.ts';
import { CLI_PATH } from '../helpers/cli.ts';
import { needs } from '../helpers/requirements.ts';

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
    [['--mesh', 'osm'], /--mesh.*osm|osm.*--mesh/],
    [['--mesh', 'linkerd', '--dataplane', 'ambient'], /^mesh-preflight: invalid --dataplane ambient: linkerd has no ambient dataplane/],
    [['--dataplane', 'waypoint'], /--dataplane/],
    [['--mesh-version', '1'], /--mesh-version: expected a version X\.Y/],
    [['--mesh', 'kuma', '--native-nftables'], /--native-nftables: kuma sidecar does not program nftables natively/],
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

test('modes: a kernel without ipset is ready for sidecars and not for ambient; the table says which modes can run', async (t) => {
  const sidecar = await run(['--host-root', fixture('no-ipset'), '--output', 'json']);
  t.is(sidecar.exitCode, 0, sidecar.stderr);
  const report = ReportSchema.parse(JSON.parse(sidecar.stdout));
  t.is(report.options.dataplane, 'sidecar');
  t.is(report.options.optionSources?.['dataplane'], 'default');
  t.is(report.options.optionSources?.['hostRoot'], 'flag');
  t.is(report.options.optionSources?.['meshVersion'], 'default', 'not given: the newest known');
  t.is(report.options.meshVersion, '1.30');
  const ambientMode = report.modes?.find((m) => m.dataplane === 'ambient' && m.backend === 'nft' && !m.nativeNftables);
  t.deepEqual(ambientMode?.missing, ['ip_set', 'ip_set_hash_ip', 'xt_set']);
  const ambient = await run(['--host-root', fixture('no-ipset'), '--dataplane', 'ambient', '--output', 'table']);
  t.is(ambient.exitCode, 1);
  t.regex(ambient.stdout, /FAIL\s+modules\s+missing from this kernel: ip_set, ip_set_hash_ip, xt_set/);
  t.regex(ambient.stdout, /Which istio modes can run on this node/);
  t.regex(ambient.stdout, /▸ ambient iptables-nft\s+no\s+missing ip_set, ip_set_hash_ip, xt_set/);
  t.regex(ambient.stdout, / {3}sidecar iptables-nft\s+ready/);
});

test('--mesh-version: an unknown release is replaced by the nearest, with a warning in the report and the table', async (t) => {
  const json = await run(['--host-root', fixture('monolithic'), '--mesh-version', '1.19', '--dataplane', 'ambient', '--output', 'json']);
  const report = ReportSchema.parse(JSON.parse(json.stdout));
  t.is(report.options.meshVersion, '1.22');
  t.is(report.options.optionSources?.['meshVersion'], 'flag');
  t.regex(report.warnings?.[0] ?? '', /--mesh-version 1\.19 is not a release the istio profile knows .*nearest, 1\.22/);
  const table = await run(['--host-root', fixture('monolithic'), '--mesh-version', '1.19', '--output', 'table']);
  t.regex(table.stdout, /Warning: --mesh-version 1\.19/);
});

// The consul half reads the iptables-backend check's summary, which needs the iptables binaries.
needs('iptables')('native nftables on a 5.10 kernel fails the kernel check; consul is judged for its image\'s nft', async (t) => {
  const native = await run(['--host-root', fixture('kernel-5.10'), '--native-nftables', '--output', 'json']);
  t.is(native.exitCode, 1);
  const report = ReportSchema.parse(JSON.parse(native.stdout));
  t.is(report.checks.find((c) => c.id === 'kernel')?.status, 'fail');
  t.is(report.checks.find((c) => c.id === 'iptables-backend')?.status, 'skip');
  t.is(report.checks.find((c) => c.id === 'nft-binary')?.status, 'pass');
  const consul = ReportSchema.parse(JSON.parse((await run(['--host-root', fixture('monolithic'), '--mesh', 'consul', '--output', 'json'])).stdout));
  t.is(consul.iptables?.meshBackend, 'nft');
  t.regex(consul.checks.find((c) => c.id === 'iptables-backend')?.summary ?? '', /mesh init container: nft/);
});

test('diagnose --on-node and agent --print-config take the mode flags', async (t) => {
  const diagnose = await run(['diagnose', '--on-node', '--host-root', fixture('no-ipset'), '--dataplane', 'ambient', '--output', 'json'], {
    input: 'ipset v7.17: Kernel error received: set type not supported\n',
  });
  t.is(diagnose.exitCode, 0, diagnose.stderr);
  t.regex(JSON.stringify(JSON.parse(diagnose.stdout).node), /ip_set/);
  const agent = await run(['agent', '--print-config', '--dataplane', 'ambient', '--mesh-version', '1.28', '--cni', '--host-root', fixture('monolithic')]);
  t.is(agent.exitCode, 0, agent.stderr);
  t.regex(agent.stdout, /"dataplane": "ambient"/);
  t.regex(agent.stdout, /"meshVersion": "1.28"/);
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
  // test/fixtures/logs/<group>/*.source cites where each log comes from.
  const logs = path.join(root, 'test/fixtures/logs/cni');
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
  await cp(fixture('rocky-8'), host, { recursive: true, verbatimSymlinks: true });
  const check = await run(['check', '--host-root', host, '--backend', 'legacy', '--output', 'json']);
  const notLoaded = ReportSchema.parse(JSON.parse(check.stdout)).modules.filter((m) => m.state === 'loadable').map((m) => m.name).sort();
  t.true(notLoaded.includes('iptable_nat'));

  // Exit 1 throughout: SELinux enforcing, so the node is not ready until the modules are really loaded
  // (persisting alone changes nothing before the next boot; test/e2e/autoload.test.ts has the boot).
  const dryRun = await run(['fix', '--host-root', host, '--backend', 'legacy', '--persist', '--output', 'table']);
  t.is(dryRun.exitCode, 1, dryRun.stderr);
  t.regex(dryRun.stdout, /Dry run: nothing changed/);
  t.deepEqual((await readdir(path.join(host, 'etc'))).sort(), ['alternatives', 'os-release', 'selinux'], 'the dry run wrote nothing');

  const apply = await run(['fix', '--host-root', host, '--backend', 'legacy', '--persist', '--yes', '--output', 'json']);
  t.is(apply.exitCode, 1, apply.stderr);
  const file = path.join(host, 'etc/modules-load.d/99-mesh-preflight.conf');
  const listed = (await readFile(file, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).sort();
  t.deepEqual(listed, notLoaded);
  const before = await stat(file);

  const again = await run(['fix', '--host-root', host, '--backend', 'legacy', '--persist', '--yes', '--output', 'table']);
  t.is(again.exitCode, 1);
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

test('--ipv6 auto on a fixture host: decided from this machine\'s interfaces, and the report says so; --no-ipv6 is a flag', async (t) => {
  const auto = await run(['--host-root', fixture('talos'), '--output', 'json']);
  const report = ReportSchema.parse(JSON.parse(auto.stdout));
  t.is(report.options.optionSources?.['ipv6'], 'auto');
  t.regex(report.options.ipv6Reason ?? '', /^auto: .*network interfaces.*not read below --host-root .*talos/);
  const off = ReportSchema.parse(JSON.parse((await run(['--host-root', fixture('talos'), '--output', 'json', '--no-ipv6'])).stdout));
  t.false(off.options.ipv6);
  t.is(off.options.optionSources?.['ipv6'], 'flag');
  t.is(off.options.ipv6Reason, undefined);
});
