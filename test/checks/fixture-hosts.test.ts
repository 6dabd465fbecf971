/**
 * Every fixture host root (test/fixtures/hosts/*): each module's state and the observed iptables
 * backend, as the fixture's expected.json states them (see each fixture's SOURCE.md).
 */
import test from 'ava';
import { HostFacts, shippedModuleKnowledge } from '../../src/core/host-facts.ts';
import { checkOptions } from '../../src/core/options.ts';
import { HostRoot } from '../../src/host/root.ts';
import { decideModuleState } from '../../src/modules/state.ts';
import { checkNode } from '../../src/core/check-node.ts';
import type { Verdict } from '../../src/core/report.ts';
import { fixtureExec } from '../helpers/fixture-exec.ts';
import { hostFixturePath, listHostFixtures, loadExpected } from '../fixtures/hosts/index.ts';
import { MODULES } from '../../checks/kernel-data/netfilter-map.ts';

function factsFor(name: string) {
  const root = hostFixturePath(name);
  return new HostFacts({ options: checkOptions({ hostRoot: root }), host: new HostRoot(root), exec: fixtureExec(root) });
}

for (const name of listHostFixtures()) {
  test(`${name}: module states match expected.json`, async (t) => {
    const expected = loadExpected(name);
    const facts = factsFor(name);
    const moduleFacts = { kernel: await facts.kernel(), kconfig: await facts.kconfig(), inventory: await facts.moduleInventory() };
    t.is(moduleFacts.kernel.release, expected.release);
    for (const [module, state] of Object.entries(expected.modules)) {
      const decided = decideModuleState(module, moduleFacts, shippedModuleKnowledge);
      t.is(decided.state, state, `${module}: decided ${decided.state} from ${decided.source}`);
      const provider = expected.providedBy?.[module];
      if (provider) t.is(decided.providedBy, provider, `${module} is provided by ${provider}`);
    }
  });

  test(`${name}: observed iptables backend matches expected.json`, async (t) => {
    const expected = loadExpected(name);
    const observation = await factsFor(name).iptables();
    t.is(observation.backend, expected.observedBackend, observation.reason);
  });
}

/**
 * The verdict of a full check (Istio defaults) on each fixture, in the node's own mode (auto) and for a
 * mesh image still on legacy iptables. Why each one: the fixture's SOURCE.md and expected.json notes.
 */
const VERDICTS: Record<string, { auto: Verdict; legacy: Verdict; failing: { auto: string[]; legacy: string[] } }> = {
  // No SELinux, modprobe works: nft-mode modules autoload (degraded); legacy cannot bootstrap without ip_tables.
  'ubuntu-22.04': { auto: 'degraded', legacy: 'not-ready', failing: { auto: [], legacy: ['modules'] } },
  // SELinux enforcing (the runbook's host): the pod gets no module in either mode.
  'rocky-8': { auto: 'not-ready', legacy: 'not-ready', failing: { auto: ['modules'], legacy: ['modules'] } },
  'rocky-8-permissive': { auto: 'degraded', legacy: 'not-ready', failing: { auto: [], legacy: ['modules'] } },
  'rocky-8-ip-tables-loaded': { auto: 'degraded', legacy: 'degraded', failing: { auto: [], legacy: [] } },
  'modules-disabled': { auto: 'not-ready', legacy: 'not-ready', failing: { auto: ['modules'], legacy: ['modules'] } },
  'empty-modprobe': { auto: 'not-ready', legacy: 'not-ready', failing: { auto: ['modules'], legacy: ['modules'] } },
  // ip_tables loaded, only iptable_raw (DNS capture, not asked for here) is install-blocked.
  'install-blocked': { auto: 'degraded', legacy: 'degraded', failing: { auto: [], legacy: [] } },
  monolithic: { auto: 'degraded', legacy: 'degraded', failing: { auto: [], legacy: [] } },
  talos: { auto: 'ready', legacy: 'not-ready', failing: { auto: [], legacy: ['modules', 'iptables-backend'] } },
  'lacks-module': { auto: 'not-ready', legacy: 'not-ready', failing: { auto: ['modules'], legacy: ['modules'] } },
  'upgraded-no-reboot': { auto: 'not-ready', legacy: 'not-ready', failing: { auto: ['modules'], legacy: ['modules'] } },
  'no-module-tree': { auto: 'ready', legacy: 'degraded', failing: { auto: [], legacy: [] } },
};

for (const [name, expected] of Object.entries(VERDICTS)) {
  for (const backend of ['auto', 'legacy'] as const) {
    test(`${name}: verdict with --backend ${backend} is ${expected[backend]}`, async (t) => {
      const root = hostFixturePath(name);
      const report = await checkNode(checkOptions({ hostRoot: root, backend, nodeName: name }), { exec: fixtureExec(root) });
      t.is(report.verdict, expected[backend], report.checks.map((c) => `${c.id}:${c.status} ${c.summary}`).join('\n'));
      t.deepEqual(report.checks.filter((c) => c.status === 'fail').map((c) => c.id), expected.failing[backend]);
      for (const check of report.checks.filter((c) => c.status === 'fail' || c.status === 'warn')) {
        t.true(check.remediation.length > 0 || check.id === 'iptables-backend', `${check.id} says what to do`);
      }
    });
  }
}

test('rocky-8 (the runbook case): nft node, SELinux enforcing: neither mode is ready, each names what the pod cannot load and why', async (t) => {
  const root = hostFixturePath('rocky-8');
  const report = await checkNode(checkOptions({ hostRoot: root, nodeName: 'rocky' }), { exec: fixtureExec(root) });
  t.is(report.iptables?.backend, 'nft');
  t.is(report.iptables?.meshBackend, 'nft');
  const legacy = report.iptables?.modes.find((m) => m.backend === 'legacy');
  t.false(legacy?.ready);
  for (const module of ['ip_tables', 'iptable_nat', 'iptable_mangle', 'iptable_filter']) t.true(legacy?.notLoaded.includes(module), module);
  t.is(legacy?.autoload?.value, 'no');
  t.regex(legacy?.autoload?.reason ?? '', /ip_tables is not loaded/);
  const nft = report.iptables?.modes.find((m) => m.backend === 'nft');
  t.false(nft?.ready);
  t.is(nft?.autoload?.value, 'no');
  t.regex(nft?.autoload?.reason ?? '', /SELinux enforcing \(\/sys\/fs\/selinux\/enforce: 1\)/);
  t.false(report.modules.some((m) => m.name.startsWith('iptable_')), 'nft mode needs no iptable_* module');
  t.like(report.autoload, { selinux: { mode: 'enforcing', policyType: 'targeted' }, modulesDisabled: false, modprobePath: '/sbin/modprobe', ipTablesLoaded: false });
  t.true(report.autoload?.evidence.includes('/etc/selinux/config:7: SELINUX=enforcing'));
  const evidence = report.checks.find((c) => c.id === 'modules')!.evidence;
  t.true(evidence.some((e) => e.startsWith('why: ') && e.includes('container.te')), 'the kernel fact and its source are cited');
});

test('install-blocked: legacy DNS capture is not ready, naming the modprobe.d file and line; without DNS capture it autoloads', async (t) => {
  const root = hostFixturePath('install-blocked');
  const report = await checkNode(checkOptions({ hostRoot: root, backend: 'legacy', dnsCapture: true, nodeName: 'hardened' }), { exec: fixtureExec(root) });
  t.is(report.verdict, 'not-ready');
  const modules = report.checks.find((c) => c.id === 'modules')!;
  t.is(modules.status, 'fail');
  t.regex(modules.summary, /iptable_raw \(blocked by a modprobe\.d install line: \/etc\/modprobe\.d\/hardening\.conf:5: install iptable_raw \/bin\/false\)/);
  t.true(modules.remediation.some((r) => r.includes('/etc/modprobe.d/hardening.conf:5') && r.includes('remove or comment out')));
  t.false(modules.summary.includes('iptable_nat'), 'the other legacy tables autoload: ip_tables is loaded');
  t.deepEqual(report.autoload?.modprobeD.map((d) => `${d.file}:${d.line}`), ['/etc/modprobe.d/hardening.conf:5']);
  t.true(report.autoload?.ipTablesLoaded);
});

test('a not-loaded module is a warning only where the kernel will autoload it, and the summary says so', async (t) => {
  const root = hostFixturePath('rocky-8-permissive');
  const report = await checkNode(checkOptions({ hostRoot: root, backend: 'nft', nodeName: 'permissive' }), { exec: fixtureExec(root) });
  const modules = report.checks.find((c) => c.id === 'modules')!;
  t.is(modules.status, 'warn');
  t.regex(modules.summary, /the kernel will autoload them for the mesh's pod: xt_REDIRECT, xt_owner/);
  t.is(report.iptables?.modes.find((m) => m.backend === 'nft')?.autoload?.value, 'yes');
});

test('cannot tell (no /proc/sys/kernel files in the tree): a warning that says what could not be read', async (t) => {
  const root = hostFixturePath('lacks-module');
  const report = await checkNode(checkOptions({ hostRoot: root, backend: 'nft', nodeName: 'x' }), { exec: fixtureExec(root) });
  const nft = report.iptables?.modes.find((m) => m.backend === 'nft');
  t.deepEqual(nft?.notLoaded, ['xt_REDIRECT']);
  t.is(nft?.autoload?.value, 'unknown');
  t.regex(nft?.autoload?.reason ?? '', /modules_disabled: not readable.*modprobe: not readable.*xt_REDIRECT/);
});

for (const name of listHostFixtures()) {
  const expected = loadExpected(name).autoload;
  if (!expected) continue;
  test(`${name}: autoload facts match expected.json`, async (t) => {
    const facts = factsFor(name);
    const [autoload, os] = await Promise.all([facts.autoloadFacts(), facts.os()]);
    t.is(autoload.selinux.mode, expected.selinux);
    t.is(autoload.modulesDisabled, expected.modulesDisabled);
    t.is(autoload.modprobePath, expected.modprobePath);
    const netfilter = new Set(Object.keys(MODULES));
    t.deepEqual(autoload.modprobeD.filter((d) => netfilter.has(d.module)).map((d) => `${d.file}:${d.line}`), expected.modprobeDBlocks);
    t.truthy(os.id);
  });
}
