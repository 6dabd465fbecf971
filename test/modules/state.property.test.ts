/**
 * Property-based tests (fast-check, fixed seed) of the module-state decision over arbitrary, contradictory
 * facts: it never throws; a module /proc/modules lists is loaded; one /sys/module shows is loaded or built
 * in whatever /proc/modules says; `missing` only with a proof (config off, CONFIG_MODULES off, only other
 * releases' trees, or a complete tree); an incomplete module list never proves anything missing.
 */
import test from 'ava';
import fc from 'fast-check';
import { decideModuleState } from '../../src/modules/state.ts';
import type { ModuleInventory } from '../../src/modules/types.ts';
import { shippedModuleKnowledge } from '../../src/core/host-facts.ts';
import { knownModuleNames } from '../../checks/kernel-data/module-history.ts';

const SEED = 20261207;
const RUNS = { seed: SEED, numRuns: 300 };
const STATES = new Set(['loaded', 'builtin', 'loadable', 'missing', 'unknown']);

const names = [...knownModuleNames()].sort();
const name = fc.constantFrom(...names);
const someNames = fc.uniqueArray(name, { maxLength: 8 });
const symbols = [...new Set(names.flatMap((n) => shippedModuleKnowledge.kconfigSymbolsFor(n)))].sort();
const configValue = fc.constantFrom('y', 'm', 'n', '', '"x"', '\0');

const facts = fc.record({
  release: fc.constantFrom(undefined, '4.18.0-348.el8.x86_64', '5.15.0-91-generic', '6.18.2', 'garbage'),
  loaded: someNames,
  procModulesReadable: fc.boolean(),
  sysLoaded: someNames,
  sysBuiltin: someNames,
  builtin: someNames,
  files: someNames,
  tree: fc.boolean(),
  builtinReadable: fc.boolean(),
  filesSource: fc.boolean(),
  filesIncomplete: fc.option(fc.constant<string>('/lib/modules/x/modules.dep: is a fifo, not a regular file: not read'), { nil: undefined }),
  otherTrees: fc.array(fc.constantFrom('5.15.0-94-generic', '6.1.0'), { maxLength: 2 }),
  config: fc.dictionary(fc.constantFrom(...symbols, 'CONFIG_MODULES', 'CONFIG_NETFILTER_XTABLES_LEGACY'), configValue, { maxKeys: 12 }),
  configSource: fc.boolean(),
  aliases: fc.array(fc.tuple(name, name), { maxLength: 4 }),
});

type Generated = typeof facts extends fc.Arbitrary<infer T> ? T : never;

function build(g: Generated) {
  const parsed = g.release ? /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(g.release) : null;
  const inventory: ModuleInventory = {
    loaded: new Set(g.loaded),
    procModulesReadable: g.procModulesReadable,
    sysModule: new Map([...g.sysBuiltin.map((n) => [n, 'builtin'] as const), ...g.sysLoaded.map((n) => [n, 'loaded'] as const)]),
    ...(g.tree ? { treeDir: `/lib/modules/${g.release ?? 'x'}` } : {}),
    otherTrees: g.otherTrees,
    builtin: new Set(g.builtin),
    builtinReadable: g.builtinReadable,
    files: new Map(g.files.map((n) => [n, `kernel/net/netfilter/${n}.ko`])),
    ...(g.filesSource ? { filesSource: `/lib/modules/x/modules.dep` } : {}),
    aliases: new Map(g.aliases.map(([a, b]) => [a, [b]])),
    ...(g.filesIncomplete ? { filesIncomplete: g.filesIncomplete } : {}),
  };
  return {
    kernel: { source: '/proc/sys/kernel/osrelease', ...(g.release ? { release: g.release } : {}), ...(parsed ? { parsed: { major: Number(parsed[1]), minor: Number(parsed[2]), patch: Number(parsed[3] ?? 0) } } : {}) },
    kconfig: { values: new Map(Object.entries(g.config)), ...(g.configSource ? { source: '/boot/config-x' } : {}) },
    inventory,
  };
}

test('never throws; always one of the five states with a source', (t) => {
  fc.assert(
    fc.property(facts, name, (g, module) => {
      const r = decideModuleState(module, build(g), shippedModuleKnowledge);
      if (!STATES.has(r.state) || typeof r.source !== 'string' || r.source === '') throw new Error(JSON.stringify(r));
    }),
    RUNS,
  );
  t.pass();
});

test('/proc/modules contradicting /sys/module: a module either shows is never missing or unknown', (t) => {
  fc.assert(
    fc.property(facts, name, (g, module) => {
      const r = decideModuleState(module, build(g), shippedModuleKnowledge);
      if (g.loaded.includes(module) && r.state !== 'loaded') throw new Error(`in /proc/modules but ${r.state}: ${r.source}`);
      if ((g.sysLoaded.includes(module) || g.sysBuiltin.includes(module)) && r.state !== 'loaded' && r.state !== 'builtin') {
        throw new Error(`in /sys/module but ${r.state}: ${r.source}`);
      }
    }),
    RUNS,
  );
  t.pass();
});

test('missing only with a proof; an incomplete or unreadable module list proves nothing missing', (t) => {
  fc.assert(
    fc.property(facts, name, (g, module) => {
      const r = decideModuleState(module, build(g), shippedModuleKnowledge);
      if (r.state !== 'missing') return;
      const configProof = Object.values(g.config).includes('n') || 'CONFIG_NETFILTER_XTABLES_LEGACY' in g.config;
      const loadedVisible = g.procModulesReadable || g.sysLoaded.length + g.sysBuiltin.length > 0;
      const treeProof = g.tree && !g.filesIncomplete && loadedVisible && (Object.values(g.config).includes('m') || (g.filesSource && g.builtinReadable));
      const upgradeProof = !g.tree && g.otherTrees.length > 0 && g.release !== undefined;
      if (!configProof && !treeProof && !upgradeProof) throw new Error(`missing without a proof: ${r.source}`);
    }),
    RUNS,
  );
  t.pass();
});

test('nothing visible (no tree, no other tree, no config, nothing loaded): unknown, saying why', (t) => {
  fc.assert(
    fc.property(name, fc.boolean(), (module, incomplete) => {
      const r = decideModuleState(
        module,
        build({
          release: '5.15.0-91-generic', loaded: [], procModulesReadable: true, sysLoaded: [], sysBuiltin: [], builtin: [], files: [], tree: false, builtinReadable: false,
          filesSource: false, filesIncomplete: incomplete ? 'x: not read' : undefined, otherTrees: [], config: {}, configSource: false, aliases: [],
        }),
        shippedModuleKnowledge,
      );
      if (r.state !== 'unknown' || !r.source.startsWith('cannot tell')) throw new Error(`${r.state}: ${r.source}`);
    }),
    RUNS,
  );
  t.pass();
});
