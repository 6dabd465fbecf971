/**
 * End-to-end, the two cases of issue 13 as a new user meets them, through the built CLI (dist/):
 * a copy of a fixture host whose /etc/os-release is an absolute link to /usr/lib/os-release, and
 * `fix --persist --yes` on a host whose /etc/modules-load.d is an absolute link. Before, the first reported
 * this machine's OS and the second wrote into this machine's /usr/lib/modules-load.d and said ok.
 */
import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema } from '../../src/core/report.ts';
import { copyTree, link, removeSandboxes, sandbox } from '../helpers/host-trees.ts';
import { CLI_PATH } from '../helpers/cli.ts';

test.after.always(removeSandboxes);

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = CLI_PATH;
const fixture = (name: string) => path.join(repo, 'test/fixtures/hosts', name);
const run = (args: string[]) => execa(process.execPath, [cli, ...args], { reject: false, timeout: 60_000 });

test('check: /etc/os-release → /usr/lib/os-release (absolute) reports the host tree\'s OS, and says where the link led', async (t) => {
  const { root } = await sandbox('mp-e2e-os-');
  await copyTree(fixture('rocky-8'), root);
  await mkdir(path.join(root, 'usr/lib'), { recursive: true });
  await rename(path.join(root, 'etc/os-release'), path.join(root, 'usr/lib/os-release'));
  await link(root, 'etc/os-release', '/usr/lib/os-release');
  const result = await run(['check', '--host-root', root, '--output', 'json']);
  t.not(result.exitCode, 2, result.stderr);
  const report = ReportSchema.parse(JSON.parse(result.stdout));
  t.like(report.os, { id: 'rocky', family: 'rhel' }, 'the fixture host, not this machine');
  const os = report.checks.find((c) => c.id === 'os')!;
  t.regex(os.evidence[0] ?? '', /^\/etc\/os-release → \/usr\/lib\/os-release: ID=rocky/);
});

test('fix --persist --yes with /etc/modules-load.d → /usr/lib/modules-load.d (absolute): the file lands inside the host root', async (t) => {
  const machineFile = '/usr/lib/modules-load.d/99-mesh-preflight.conf';
  t.false(existsSync(machineFile), 'precondition: this machine has no such file');
  const { root, outside } = await sandbox('mp-e2e-fix-');
  await copyTree(fixture('rocky-8'), root);
  await link(root, 'etc/modules-load.d', '/usr/lib/modules-load.d');

  const dry = await run(['fix', '--host-root', root, '--backend', 'legacy', '--persist', '--output', 'table']);
  t.not(dry.exitCode, 2, dry.stderr);
  t.false(existsSync(path.join(root, 'usr/lib/modules-load.d')), 'the dry run made nothing');

  const apply = await run(['fix', '--host-root', root, '--backend', 'legacy', '--persist', '--yes', '--output', 'json']);
  // The exit code follows the verdict after (this fixture is SELinux enforcing: still not ready); the file step succeeded.
  t.is(apply.exitCode, JSON.parse(apply.stdout).verdict.after === 'not-ready' ? 1 : 0, apply.stderr);
  t.is(apply.stderr, '');
  const fixes = JSON.parse(apply.stdout).report.fixes;
  t.like(fixes[0], { kind: 'persist', ok: true, target: '/etc/modules-load.d/99-mesh-preflight.conf' });
  t.regex(fixes[0].message, /→ \/usr\/lib\/modules-load\.d\/99-mesh-preflight\.conf inside the host root/);
  t.regex(await readFile(path.join(root, 'usr/lib/modules-load.d/99-mesh-preflight.conf'), 'utf8'), /^# mesh-preflight-owned: v1\n[\s\S]*iptable_nat/);
  t.false(existsSync(machineFile), 'nothing written into this machine\'s /usr/lib/modules-load.d');
  t.deepEqual(await readdir(outside), []);

  const undo = await run(['fix', '--host-root', root, '--undo', '--yes', '--output', 'table']);
  t.is(undo.exitCode, 0, undo.stderr);
  t.deepEqual(await readdir(path.join(root, 'usr/lib/modules-load.d')), []);
});

test('fix --persist --yes with a looping /etc/modules-load.d: refused in one line naming the path and the link, exit 1, nothing written', async (t) => {
  const { root } = await sandbox('mp-e2e-loop-');
  await copyTree(fixture('rocky-8'), root);
  await link(root, 'etc/modules-load.d', '../etc/modules-load.d');
  const before = (await readdir(path.join(root, 'etc'))).sort();
  const result = await run(['fix', '--host-root', root, '--backend', 'legacy', '--persist', '--yes', '--output', 'table']);
  t.is(result.exitCode, 1);
  const lines = result.stderr.trim().split('\n');
  t.is(lines.length, 1, result.stderr);
  t.regex(lines[0]!, /^mesh-preflight fix: refused, not written: \/etc\/modules-load\.d\/99-mesh-preflight\.conf: too many levels of symbolic links \(ELOOP.*\/etc\/modules-load\.d → \.\.\/etc\/modules-load\.d\)/);
  t.regex(result.stdout, /FAIL persist \/etc\/modules-load\.d\/99-mesh-preflight\.conf: /);
  t.notRegex(result.stdout, /^ok {2}persist/m, 'never a success line for it');
  t.deepEqual((await readdir(path.join(root, 'etc'))).sort(), before);
});
