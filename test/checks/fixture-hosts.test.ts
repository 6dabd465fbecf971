/**
 * Every fixture host root (test/fixtures/hosts/*): each module's state and the observed iptables
 * backend, as the fixture's expected.json states them (see each fixture's SOURCE.md).
 */
import test from 'ava';
import { HostFacts, shippedModuleKnowledge } from '../../src/core/host-facts.ts';
import { checkOptions } from '../../src/core/options.ts';
import { HostRoot } from '../../src/host/root.ts';
import { decideModuleState } from '../../src/modules/state.ts';
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
