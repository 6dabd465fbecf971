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
  'ubuntu-22.04': { auto: 'degraded', legacy: 'degraded', failing: { auto: [], legacy: [] } },
  'rocky-8': { auto: 'degraded', legacy: 'degraded', failing: { auto: [], legacy: [] } },
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

test('rocky-8 (the runbook case): nft node ready in nft mode, legacy mode needs the iptable_* modules loaded', async (t) => {
  const root = hostFixturePath('rocky-8');
  const report = await checkNode(checkOptions({ hostRoot: root, nodeName: 'rocky' }), { exec: fixtureExec(root) });
  t.is(report.iptables?.backend, 'nft');
  t.is(report.iptables?.meshBackend, 'nft');
  const legacy = report.iptables?.modes.find((m) => m.backend === 'legacy');
  t.true(legacy?.ready);
  for (const module of ['iptable_nat', 'iptable_mangle', 'iptable_filter']) t.true(legacy?.notLoaded.includes(module), module);
  t.false(report.modules.some((m) => m.name.startsWith('iptable_')), 'nft mode needs no iptable_* module');
});
