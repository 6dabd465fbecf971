import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { realExec } from '../../src/host/exec.ts';
import { applyPlan, loadModules, modprobeArgs } from '../../src/fix/apply.ts';
import { planFix } from '../../src/fix/plan.ts';
import { needs } from '../helpers/requirements.ts';
import { ALLOWED, CENTOS8, recordingExec, removeTempRoots, report, tempRoot } from './helpers.ts';

test.after.always(removeTempRoots);

const RELEASE = '6.1.0-mesh-fixture';

/**
 * A module tree the way a distro lays it out: /lib/modules/<release>/modules.builtin lists built-in
 * modules by path (kernel/net/netfilter/xt_owner.ko), and depmod -b <dir> <release> builds the .bin
 * indexes modprobe reads. Nothing here touches the running kernel: a built-in module needs no load.
 */
async function fixtureTree(): Promise<string> {
  const root = await tempRoot('mesh-preflight-modtree-');
  const tree = path.join(root, 'lib/modules', RELEASE);
  await mkdir(path.join(tree, 'kernel/net/netfilter'), { recursive: true });
  await writeFile(path.join(tree, 'modules.builtin'), 'kernel/net/netfilter/xt_owner.ko\nkernel/net/ipv4/netfilter/iptable_nat.ko\n');
  await writeFile(path.join(tree, 'modules.order'), '');
  const depmod = await realExec('depmod', ['-b', root, RELEASE], { timeoutMs: 20_000 });
  if (!depmod.ok) throw new Error(`depmod failed: ${depmod.error}`);
  return root;
}

const privileged = { capSysModule: true, euid: 0, modulesDisabled: false, evidence: [] };

needs('kmod')('--now for real: modprobe -d/-S against a fixture tree; a missing module reports FATAL, the others still proceed', async (t) => {
  const root = await fixtureTree();
  const plan = planFix(
    report([
      { name: 'xt_owner', state: 'loadable' },
      { name: 'no_such_mod', state: 'loadable' },
      { name: 'iptable_nat', state: 'loadable' },
    ]),
    { now: true, persist: false, allowedModules: ALLOWED, os: CENTOS8, force: false, hostRoot: root },
  );
  // Sorted, so the failing module comes between the two that succeed.
  t.deepEqual(plan.load.map((l) => l.module), ['iptable_nat', 'no_such_mod', 'xt_owner']);
  const actions = await applyPlan(plan, { exec: realExec, privilege: privileged, moduleDir: { dir: root, release: RELEASE }, timeoutMs: 20_000 });
  t.deepEqual(
    actions.map((a) => [a.target, a.ok]),
    [
      ['iptable_nat', true],
      ['no_such_mod', false],
      ['xt_owner', true],
    ],
  );
  const failed = actions[1]!;
  t.true(
    failed.message.includes(`modprobe: FATAL: Module no_such_mod not found in directory ${root}/lib/modules/${RELEASE}`),
    failed.message,
  );
  t.true(failed.message.startsWith(`$ modprobe -d ${root} -S ${RELEASE} -- no_such_mod: exit 1:`), failed.message);
  t.is(actions[0]!.message, `$ modprobe -d ${root} -S ${RELEASE} -- iptable_nat: ok`);
});

test('without CAP_SYS_MODULE --now explains the missing privilege and runs nothing', async (t) => {
  const { exec, calls } = recordingExec();
  const actions = await loadModules(['iptable_nat', 'xt_owner'], { exec, privilege: { capSysModule: false, euid: 1000, evidence: [] } });
  t.is(calls.length, 0);
  t.is(actions.length, 2);
  for (const a of actions) {
    t.false(a.ok);
    t.regex(a.message, /^not run: running as uid 1000 and without CAP_SYS_MODULE \(bit 16 of CapEff/);
    t.regex(a.message, /SYS_MODULE/);
  }
});

test('kernel.modules_disabled=1 is named instead of an obscure modprobe failure', async (t) => {
  const { exec, calls } = recordingExec();
  const [a] = await loadModules(['iptable_nat'], { exec, privilege: { capSysModule: true, modulesDisabled: true, evidence: [] } });
  t.is(calls.length, 0);
  t.regex(a!.message, /modules_disabled=1/);
});

test('each module is a separate modprobe with an argument array and a timeout', async (t) => {
  const seen: { args: readonly string[]; timeoutMs?: number }[] = [];
  const { exec } = recordingExec();
  const wrapped: typeof exec = async (file, args, options) => {
    seen.push({ args, timeoutMs: options?.timeoutMs });
    return exec(file, args, options);
  };
  await loadModules(['iptable_nat', 'xt_REDIRECT'], { exec: wrapped, privilege: privileged, timeoutMs: 7000 });
  t.deepEqual(seen, [
    { args: ['--', 'iptable_nat'], timeoutMs: 7000 },
    { args: ['--', 'xt_REDIRECT'], timeoutMs: 7000 },
  ]);
});

test('modprobe not installed and a timeout are reported plainly, per module', async (t) => {
  const { exec } = recordingExec((_file, args) =>
    args.includes('iptable_nat') ? { ok: false, notFound: true, exitCode: undefined } : { ok: false, timedOut: true, exitCode: undefined },
  );
  const [missing, slow] = await loadModules(['iptable_nat', 'xt_owner'], { exec, privilege: privileged, timeoutMs: 5000 });
  t.regex(missing!.message, /modprobe not found \(install kmod/);
  t.regex(slow!.message, /timed out after 5s/);
});

test('modprobeArgs refuses an invalid name even if a plan was built by hand', (t) => {
  t.deepEqual(modprobeArgs('xt_REDIRECT', { dir: '/host', release: '5.14.0' }), ['-d', '/host', '-S', '5.14.0', '--', 'xt_REDIRECT']);
  t.throws(() => modprobeArgs('../x'));
  t.throws(() => modprobeArgs('-r'));
});
