/** fix knows the autoload facts: modules disabled → no modprobe, reboot after persisting; modprobe.d blocks named, not tried. */
import test from 'ava';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planFix, type PlanOptions } from '../../src/fix/plan.ts';
import { renderPlan } from '../../src/fix/render.ts';
import { runFix } from '../../src/cli/commands/fix.ts';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions } from '../../src/core/options.ts';
import { ReportSchema, type Report } from '../../src/core/report.ts';
import type { Exec } from '../../src/host/exec.ts';
import { HostRoot } from '../../src/host/root.ts';
import { knownModuleNames } from '../../checks/kernel-data/module-history.ts';
import { ALLOWED, CENTOS8, centos8Report } from './helpers.ts';
import { fixtureExec } from '../helpers/fixture-exec.ts';
import { loadIntoFixture } from '../helpers/boot-host.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';

const base: PlanOptions = { now: true, persist: true, allowedModules: ALLOWED, os: CENTOS8, force: false, hostRoot: '/host' };

function withAutoload(report: Report, autoload: unknown): Report {
  return ReportSchema.parse({ ...report, autoload });
}

test('modules disabled: nothing to modprobe, the persist file is still planned, and the plan says reboot', (t) => {
  const plan = planFix(withAutoload(centos8Report(), { selinux: { mode: 'off' }, modulesDisabled: true }), base);
  t.deepEqual(plan.load, []);
  t.true(plan.rebootNeeded);
  t.is(plan.persistStep?.kind, 'write');
  t.true(plan.notes.some((n) => /Reboot the node after persisting/.test(n)));
  const text = renderPlan(plan);
  t.regex(text, /Load now: nothing can be loaded until the node reboots \(kernel\.modules_disabled=1\); modprobe is not tried\./);
  const nowOnly = planFix(withAutoload(centos8Report(), { selinux: { mode: 'off' }, modulesDisabled: true }), { ...base, persist: false });
  t.true(nowOnly.notes.some((n) => /Persist the modules \(--persist\) and reboot/.test(n)));
});

test('an install … /bin/false line: the module is listed as blocked with file and line, neither loaded nor persisted', (t) => {
  const directive = { kind: 'install', module: 'iptable_nat', file: '/etc/modprobe.d/hardening.conf', line: 5, text: 'install iptable_nat /bin/false' };
  const plan = planFix(withAutoload(centos8Report(), { selinux: { mode: 'off' }, modprobeD: [directive] }), base);
  t.deepEqual(plan.blocked, [{ module: 'iptable_nat', by: '/etc/modprobe.d/hardening.conf:5: install iptable_nat /bin/false', requiredFor: ['nat table'] }]);
  t.false(plan.load.some((l) => l.module === 'iptable_nat'));
  const step = plan.persistStep;
  if (step?.kind !== 'write') return t.fail(step?.kind);
  t.false(step.modules.includes('iptable_nat'));
  t.regex(renderPlan(plan), /Blocked by modprobe\.d, not tried: iptable_nat — needed for nat table: \/etc\/modprobe\.d\/hardening\.conf:5/);
});

test('a blacklist line: modprobe by name still loads it, the plan warns that the boot-time load will not', (t) => {
  const directive = { kind: 'blacklist', module: 'iptable_nat', file: '/etc/modprobe.d/x.conf', line: 2, text: 'blacklist iptable_nat' };
  const plan = planFix(withAutoload(centos8Report(), { selinux: { mode: 'off' }, modprobeD: [directive] }), base);
  t.true(plan.load.some((l) => l.module === 'iptable_nat'));
  t.true(plan.notes.some((n) => n.startsWith('iptable_nat is blacklisted by /etc/modprobe.d/x.conf:2') && n.includes('systemd-modules-load applies blacklists')));
});

test('the runbook host, in process: fix --now --persist takes both modes from not-ready to passing', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mp-autoload-fix-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'rocky-8');
  await cp(hostFixturePath('rocky-8'), root, { recursive: true, verbatimSymlinks: true });
  const answers = fixtureExec(root);
  const loadedByModprobe: string[] = [];
  // modprobe against the placeholder tree cannot insert anything: the kernel's side is modelled on the copy.
  const exec: Exec = async (file, args, options) => {
    if (file !== 'modprobe') return answers(file, args, options);
    const module = args.at(-1)!;
    loadedByModprobe.push(module);
    await loadIntoFixture(root, [module]);
    return { file, args: [...args], exitCode: 0, stdout: '', stderr: '', ok: true, timedOut: false, notFound: false };
  };
  for (const mode of [{ backend: 'nft' as const, dnsCapture: false }, { backend: 'legacy' as const, dnsCapture: true }]) {
    const options = checkOptions({ hostRoot: root, nodeName: 'rocky', ...mode });
    const result = await runFix(
      { yes: true, now: true, persist: true, undo: false, force: false, output: 'json' },
      {
        check: () => checkNode(options, { exec }),
        exec,
        host: new HostRoot(root),
        allowedModules: knownModuleNames(),
        os: CENTOS8,
        privilege: { capSysModule: true, euid: 0, modulesDisabled: false, evidence: [] },
      },
    );
    const out = JSON.parse(result.stdout);
    t.is(result.exitCode, 0, `${mode.backend}: ${JSON.stringify(out.verdict)}`);
    t.is(out.verdict.before, 'not-ready', mode.backend);
    t.not(out.verdict.after, 'not-ready');
    t.is(out.report.checks.find((c: { id: string }) => c.id === 'modules').status, 'pass', mode.backend);
  }
  t.true(loadedByModprobe.includes('iptable_raw') && loadedByModprobe.includes('ip_tables'), loadedByModprobe.join(' '));
});
