import test from 'ava';
import { planFix, validateModuleName, type PlanOptions } from '../../src/fix/plan.ts';
import { applyPlan } from '../../src/fix/apply.ts';
import { OWNERSHIP_MARKER, PERSIST_PATH, parseModulesLoadFile, renderPersistFile } from '../../src/fix/persist-file.ts';
import { renderPlan } from '../../src/fix/render.ts';
import { ALLOWED, CENTOS8, DEBIAN12, centos8Report, recordingExec, report } from './helpers.ts';

const base: PlanOptions = { now: true, persist: true, allowedModules: ALLOWED, os: CENTOS8, force: false, hostRoot: '/host' };

test('CentOS 8 runbook: the loadable iptables tables are planned for modprobe, loaded ones are not', (t) => {
  const plan = planFix(centos8Report(), base);
  t.deepEqual(plan.load.map((l) => l.module), ['iptable_filter', 'iptable_mangle', 'iptable_nat']);
  t.deepEqual(plan.load.find((l) => l.module === 'iptable_nat')?.requiredFor, ['nat table']);
  t.deepEqual(plan.alreadyOk.map((m) => m.module).sort(), ['nf_nat', 'xt_REDIRECT', 'xt_owner']);
  t.deepEqual(plan.unfixable, []);
  t.deepEqual(plan.rejected, []);
});

test('CentOS 8 runbook: persist writes exactly the modules found loadable but not loaded, sorted, under the host root', (t) => {
  const step = planFix(centos8Report(), base).persistStep;
  if (step?.kind !== 'write') return t.fail(`expected a write step, got ${step?.kind}`);
  t.is(step.path, PERSIST_PATH, 'no link on the way: it resolves to itself inside the host root');
  t.is(step.change, 'create');
  t.deepEqual(step.modules, ['iptable_filter', 'iptable_mangle', 'iptable_nat']);
  t.true(step.content.startsWith(OWNERSHIP_MARKER + '\n'));
  t.deepEqual(parseModulesLoadFile(step.content), step.modules);
});

test('the load list follows the report, not a fixed list', (t) => {
  const plan = planFix(report([{ name: 'xt_TPROXY', state: 'loadable' }, { name: 'iptable_nat', state: 'loaded' }]), base);
  t.deepEqual(plan.load.map((l) => l.module), ['xt_TPROXY']);
});

test('a host with everything built in gets an empty plan and nothing to persist', (t) => {
  const builtins = ['iptable_nat', 'iptable_mangle', 'iptable_filter', 'xt_REDIRECT', 'xt_owner'].map((name) => ({
    name,
    state: 'builtin' as const,
    source: 'modules.builtin',
  }));
  const plan = planFix(report(builtins, { verdict: 'ready' }), { ...base, os: DEBIAN12 });
  t.deepEqual(plan.load, []);
  t.deepEqual(plan.unfixable, []);
  t.is(plan.persistStep?.kind, 'none');
  t.is(plan.alreadyOk.length, 5);
  t.regex(renderPlan(plan), /Load now: nothing to load/);
});

test('a missing module is unfixable, with the distro package, the reboot case and the CONFIG_ symbol', (t) => {
  const plan = planFix(report([{ name: 'xt_owner', state: 'missing', source: 'not in modules.dep', requiredFor: ['owner match'] }]), base);
  t.deepEqual(plan.load, []);
  t.is(plan.unfixable.length, 1);
  const advice = plan.unfixable[0]!.advice.join('\n');
  t.regex(advice, /dnf install kernel-modules-extra-4\.18\.0-348\.7\.1\.el8_5\.x86_64/);
  t.regex(advice, /reboot into the upgraded kernel/);
  t.regex(advice, /CONFIG_NETFILTER_XT_MATCH_OWNER=m/);
  t.is(plan.persistStep?.kind, 'none', 'a missing module is never written to modules-load.d');
});

test('missing-module advice follows the OS family', (t) => {
  const ubuntu = planFix(report([{ name: 'xt_TPROXY', state: 'missing' }], { release: '5.15.0-91-generic' }), {
    ...base,
    os: { id: 'ubuntu', family: 'ubuntu' },
  });
  t.regex(ubuntu.unfixable[0]!.advice[0]!, /apt-get install linux-modules-extra-5\.15\.0-91-generic/);
  t.regex(ubuntu.unfixable[0]!.advice.join('\n'), /CONFIG_NETFILTER_XT_TARGET_TPROXY/);
});

test('an unknown module says it cannot tell and to mount /lib/modules', (t) => {
  const plan = planFix(report([{ name: 'iptable_nat', state: 'unknown', source: 'no module tree' }]), base);
  t.is(plan.unfixable[0]?.state, 'unknown');
  t.regex(plan.unfixable[0]!.advice.join(' '), /Cannot tell/);
  t.regex(plan.unfixable[0]!.advice.join(' '), /\/lib\/modules/);
});

test('providedBy: the providing module is loaded and persisted once for all names it provides', (t) => {
  const plan = planFix(
    report([
      { name: 'ipt_REDIRECT', state: 'loadable', providedBy: 'xt_REDIRECT', requiredFor: ['REDIRECT'] },
      { name: 'xt_REDIRECT', state: 'loadable', requiredFor: ['REDIRECT (ipv6)'] },
    ]),
    base,
  );
  t.deepEqual(plan.load.map((l) => l.module), ['xt_REDIRECT']);
  t.deepEqual(plan.load[0]!.forModules, ['ipt_REDIRECT', 'xt_REDIRECT']);
});

test('now=false plans no loads; persist=false plans no persist step', (t) => {
  t.deepEqual(planFix(centos8Report(), { ...base, now: false }).load, []);
  t.is(planFix(centos8Report(), { ...base, persist: false }).persistStep, undefined);
});

test('module names are validated against the pattern and the allow-list', (t) => {
  t.is(validateModuleName('xt_REDIRECT', ALLOWED), undefined);
  t.regex(validateModuleName('../x', ALLOWED) ?? '', /not a module name/);
  t.regex(validateModuleName('xt_owner;rm', ALLOWED) ?? '', /not a module name/);
  t.regex(validateModuleName('xt_owner rm', ALLOWED) ?? '', /not a module name/);
  t.regex(validateModuleName('-d', new Set(['-d'])) ?? '', /not a module name/, 'never an option, even if allowed');
  t.is(validateModuleName('a'.repeat(55), new Set(['a'.repeat(55)])), undefined);
  t.regex(validateModuleName('a'.repeat(56), new Set(['a'.repeat(56)])) ?? '', /not a module name/);
  t.regex(validateModuleName('evil_mod', ALLOWED) ?? '', /not in the list/);
  t.is(validateModuleName('xt-owner', ALLOWED), undefined, 'dash spelling of an allowed name');
});

for (const bad of ['../x', 'xt_owner;rm', 'evil_mod', '$(reboot)', '']) {
  test(`bad module name ${JSON.stringify(bad)} is rejected before anything runs`, async (t) => {
    const plan = planFix(report([{ name: 'iptable_nat', state: 'loadable' }, { name: bad, state: 'loadable' }]), base);
    t.deepEqual(plan.rejected.map((r) => r.module), [bad]);
    const { exec, calls } = recordingExec();
    const actions = await applyPlan(plan, { exec, privilege: { capSysModule: true, evidence: [] } });
    t.is(calls.length, 0, 'exec was never called');
    t.true(actions.every((a) => !a.ok));
    t.regex(actions[0]!.message, /nothing was changed/);
  });
}

test('immutable OS: no write step; Talos gets a machine.kernel.modules patch with a citation', (t) => {
  const plan = planFix(centos8Report(), { ...base, os: { id: 'talos', family: 'immutable', immutable: 'talos' } });
  const step = plan.persistStep;
  if (step?.kind !== 'os-managed') return t.fail(`expected os-managed, got ${step?.kind}`);
  const steps = step.advice.steps.join('\n');
  t.regex(steps, /machine:\n {2}kernel:\n {4}modules:\n {6}- name: iptable_filter/);
  t.true(step.advice.sources.some((s) => s.includes('talos.dev')));
  t.deepEqual(plan.load.map((l) => l.module), ['iptable_filter', 'iptable_mangle', 'iptable_nat'], '--now still loads');
});

test('immutable OS: Bottlerocket, Flatcar, COS and RHCOS each get their own way', (t) => {
  const advice = (immutable: 'bottlerocket' | 'flatcar' | 'cos' | 'rhcos') => {
    const step = planFix(centos8Report(), { ...base, os: { id: immutable, family: 'immutable', immutable } }).persistStep;
    return step?.kind === 'os-managed' ? step.advice : undefined;
  };
  t.regex(advice('bottlerocket')!.steps.join('\n'), /settings\.kernel\.modules\.iptable_nat\.allowed=true settings\.kernel\.modules\.iptable_nat\.autoload=true/);
  t.regex(advice('flatcar')!.steps.join('\n'), /variant: flatcar[\s\S]*path: \/etc\/modules-load\.d\/99-mesh-preflight\.conf[\s\S]* {10}iptable_nat/);
  t.regex(advice('cos')!.why, /stateless/);
  t.regex(advice('rhcos')!.steps.join('\n'), /MachineConfig/);
  for (const os of ['bottlerocket', 'flatcar', 'cos', 'rhcos'] as const) t.true(advice(os)!.sources.length > 0, os);
});

test('modules-load.d not writable: no write step, the exact content to put there instead', (t) => {
  const step = planFix(centos8Report(), { ...base, modulesLoadDWritable: false }).persistStep;
  if (step?.kind !== 'os-managed') return t.fail();
  t.regex(step.advice.why, /not writable/);
  t.true(step.advice.steps.join('\n').includes(OWNERSHIP_MARKER));
});

test('existing file: ours and identical → unchanged; ours and different → update; foreign → left alone unless --force', (t) => {
  const content = renderPersistFile(['iptable_filter', 'iptable_mangle', 'iptable_nat', 'nf_nat', 'xt_REDIRECT', 'xt_owner']);
  const same = planFix(centos8Report(), { ...base, existingFile: { content } }).persistStep;
  t.like(same, { kind: 'write', change: 'unchanged' });
  const older = planFix(centos8Report(), { ...base, existingFile: { content: renderPersistFile(['iptable_nat']) } }).persistStep;
  t.like(older, { kind: 'write', change: 'update' });
  const foreign = planFix(centos8Report(), { ...base, existingFile: { content: 'iptable_nat\n' } }).persistStep;
  t.is(foreign?.kind, 'foreign-file');
  const forced = planFix(centos8Report(), { ...base, force: true, existingFile: { content: 'iptable_nat\n' } }).persistStep;
  t.like(forced, { kind: 'write', change: 'replace-foreign' });
});

test('modules our earlier file listed stay (other mesh), unless the report now says built in or missing', (t) => {
  const earlier = renderPersistFile(['xt_TPROXY', 'xt_socket', 'xt_mark']);
  const r = report([
    { name: 'iptable_nat', state: 'loadable' },
    { name: 'xt_socket', state: 'builtin' },
    { name: 'xt_mark', state: 'missing' },
  ]);
  const step = planFix(r, { ...base, existingFile: { content: earlier } }).persistStep;
  if (step?.kind !== 'write') return t.fail();
  t.deepEqual(step.modules, ['iptable_nat', 'xt_TPROXY']);
});

test('the dry-run text shows the modprobe commands and the file content', (t) => {
  const text = renderPlan(planFix(centos8Report(), base), { dir: '/host', release: '4.18.0-348.el8.x86_64' });
  t.regex(text, /\$ modprobe -d \/host -S 4\.18\.0-348\.el8\.x86_64 -- iptable_nat {2}# nat table/);
  t.regex(text, /Persist: Create \/etc\/modules-load\.d\/99-mesh-preflight\.conf/);
  t.regex(text, / {2}\| iptable_mangle/);
  t.notRegex(text, / {2}\| xt_owner/, 'xt_owner is loaded already: not persisted');
});
