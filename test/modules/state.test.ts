import test from 'ava';
import { decideModuleState, type ModuleFacts, type ModuleKnowledge } from '../../src/modules/state.ts';
import type { ModuleInventory } from '../../src/modules/types.ts';

// A small, explicit knowledge table so these tests exercise the decision rules alone.
const knowledge: ModuleKnowledge = {
  kconfigSymbolsFor: (m) =>
    ({
      xt_owner: ['CONFIG_NETFILTER_XT_MATCH_OWNER'],
      iptable_raw: ['CONFIG_IP_NF_RAW'],
      nf_nat: ['CONFIG_NF_NAT'],
      nf_nat_redirect: ['CONFIG_NF_NAT_REDIRECT'],
      xt_REDIRECT: ['CONFIG_NETFILTER_XT_TARGET_REDIRECT'],
    })[m] ?? [],
  resolveModule: (name, kernel) =>
    name === 'nf_nat_redirect' && kernel && kernel.major >= 6 ? { name, providedBy: 'nf_nat', note: 'merged' } : { name },
};

function facts(overrides: { inventory?: Partial<ModuleInventory>; config?: Record<string, string>; release?: string }): ModuleFacts {
  const release = overrides.release ?? '5.15.0-91-generic';
  const [major, minor] = release.split('.').map(Number);
  return {
    kernel: { release, parsed: { major: major!, minor: minor!, patch: 0 }, source: '/proc/sys/kernel/osrelease' },
    kconfig: overrides.config ? { values: new Map(Object.entries(overrides.config)), source: '/boot/config-x' } : { values: new Map() },
    inventory: {
      loaded: new Set(),
      procModulesReadable: true,
      sysModule: new Map(),
      treeDir: `/lib/modules/${release}`,
      otherTrees: [],
      builtin: new Set(),
      builtinReadable: true,
      files: new Map(),
      filesSource: `/lib/modules/${release}/modules.dep`,
      aliases: new Map(),
      ...overrides.inventory,
    },
  };
}

test('loaded in /proc/modules wins', (t) => {
  const r = decideModuleState('xt_owner', facts({ inventory: { loaded: new Set(['xt_owner']) } }), knowledge);
  t.is(r.state, 'loaded');
  t.regex(r.source, /proc\/modules/);
});

test('modules.builtin and config =y are built in', (t) => {
  t.is(decideModuleState('xt_owner', facts({ inventory: { builtin: new Set(['xt_owner']) } }), knowledge).state, 'builtin');
  const monolithic = facts({ inventory: { treeDir: undefined, builtinReadable: false, filesSource: undefined, procModulesReadable: false }, config: { CONFIG_NETFILTER_XT_MATCH_OWNER: 'y' } });
  const r = decideModuleState('xt_owner', monolithic, knowledge);
  t.is(r.state, 'builtin');
  t.regex(r.source, /CONFIG_NETFILTER_XT_MATCH_OWNER=y/);
});

test('a file in the running tree is loadable, not missing, although absent from /proc/modules', (t) => {
  const r = decideModuleState('iptable_raw', facts({ inventory: { files: new Map([['iptable_raw', 'kernel/net/ipv4/netfilter/iptable_raw.ko.xz']]) } }), knowledge);
  t.is(r.state, 'loadable');
  t.regex(r.source, /iptable_raw\.ko\.xz/);
});

test('config "is not set" proves it missing', (t) => {
  const r = decideModuleState('xt_owner', facts({ config: { CONFIG_NETFILTER_XT_MATCH_OWNER: 'n' } }), knowledge);
  t.is(r.state, 'missing');
  t.regex(r.source, /is not set/);
});

test('=m without a file in a visible tree is missing (modules-extra not installed)', (t) => {
  t.is(decideModuleState('xt_owner', facts({ config: { CONFIG_NETFILTER_XT_MATCH_OWNER: 'm' } }), knowledge).state, 'missing');
});

test('complete tree without the module is missing; no tree and no config is unknown', (t) => {
  t.is(decideModuleState('xt_owner', facts({}), knowledge).state, 'missing');
  const bare = facts({ inventory: { treeDir: undefined, builtinReadable: false, filesSource: undefined } });
  const r = decideModuleState('xt_owner', bare, knowledge);
  t.is(r.state, 'unknown');
  t.regex(r.source, /cannot tell/);
});

test('kernel upgraded without a reboot: only another release has a tree → missing', (t) => {
  const upgraded = facts({ inventory: { treeDir: undefined, otherTrees: ['5.15.0-94-generic'], builtinReadable: false, filesSource: undefined } });
  const r = decideModuleState('xt_owner', upgraded, knowledge);
  t.is(r.state, 'missing');
  t.regex(r.source, /upgraded without a reboot/);
  const stillLoaded = facts({ inventory: { treeDir: undefined, otherTrees: ['5.15.0-94-generic'], loaded: new Set(['xt_owner']) } });
  t.is(decideModuleState('xt_owner', stillLoaded, knowledge).state, 'loaded');
});

test('aliases: ipt_REDIRECT resolves through modules.alias', (t) => {
  const f = facts({ inventory: { aliases: new Map([['ipt_REDIRECT', ['xt_REDIRECT']]]), loaded: new Set(['xt_REDIRECT']) } });
  t.is(decideModuleState('ipt_REDIRECT', f, knowledge).state, 'loaded');
});

test('merged modules follow their carrier unless compiled out', (t) => {
  const loadableNat = facts({ release: '6.8.0-31-generic', inventory: { files: new Map([['nf_nat', 'kernel/net/netfilter/nf_nat.ko.zst']]) }, config: { CONFIG_NF_NAT: 'm', CONFIG_NF_NAT_REDIRECT: 'y' } });
  const r = decideModuleState('nf_nat_redirect', loadableNat, knowledge, ['target REDIRECT']);
  t.is(r.state, 'loadable');
  t.is(r.providedBy, 'nf_nat');
  t.deepEqual(r.requiredFor, ['target REDIRECT']);
  const off = facts({ release: '6.8.0-31-generic', inventory: { loaded: new Set(['nf_nat']) }, config: { CONFIG_NF_NAT: 'm', CONFIG_NF_NAT_REDIRECT: 'n' } });
  t.is(decideModuleState('nf_nat_redirect', off, knowledge).state, 'missing');
});

test('/sys/module: initstate means loaded, a bare directory means built in', (t) => {
  const noProc = { procModulesReadable: false, loaded: new Set<string>() };
  t.is(decideModuleState('xt_owner', facts({ inventory: { ...noProc, sysModule: new Map([['xt_owner', 'loaded' as const]]) } }), knowledge).state, 'loaded');
  t.is(decideModuleState('nf_nat', facts({ inventory: { ...noProc, sysModule: new Map([['nf_nat', 'builtin' as const]]) } }), knowledge).state, 'builtin');
});
