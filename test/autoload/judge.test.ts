/** The autoload judgement, case by case, from plain facts (the fixtures cover the same cases end to end). */
import test from 'ava';
import { installBlock, judgeAutoload, nodeBlock } from '../../src/autoload/judge.ts';
import type { AutoloadFacts } from '../../src/autoload/types.ts';
import type { ModuleReport } from '../../src/core/report.ts';

function facts(over: Partial<AutoloadFacts> = {}): AutoloadFacts {
  return {
    selinux: { mode: 'off', evidence: ['/sys/fs/selinux/enforce, /etc/selinux/config: absent'] },
    osId: 'ubuntu',
    modulesDisabled: false,
    modulesDisabledSource: '/proc/sys/kernel/modules_disabled: 0',
    modprobePath: '/sbin/modprobe',
    modprobePathSource: '/proc/sys/kernel/modprobe: "/sbin/modprobe"',
    modprobeD: [],
    modprobeDFiles: [],
    ...over,
  };
}

const mod = (name: string, state: ModuleReport['state']): ModuleReport => ({ name, state, source: 'test', requiredFor: [] });
const nft = [mod('nf_tables', 'loaded'), mod('nft_compat', 'loaded'), mod('xt_owner', 'loadable'), mod('xt_REDIRECT', 'loadable')];
const legacyNoCore = [mod('x_tables', 'loaded'), mod('ip_tables', 'loadable'), mod('iptable_nat', 'loadable'), mod('iptable_raw', 'loadable')];
const legacyCore = [mod('x_tables', 'loaded'), mod('ip_tables', 'loaded'), mod('iptable_nat', 'loadable'), mod('iptable_raw', 'loadable')];
const enforcing = { mode: 'enforcing' as const, evidence: ['/sys/fs/selinux/enforce: 1', '/etc/selinux/config:7: SELINUX=enforcing'] };

test('no blocker: nft modules autoload (by alias through nft_compat)', (t) => {
  const j = judgeAutoload(facts(), 'nft', nft);
  t.is(j.value, 'yes');
  t.deepEqual(j.modules.map((m) => [m.module, m.value, m.label]), [['xt_owner', 'yes', 'autoload'], ['xt_REDIRECT', 'yes', 'autoload']]);
  t.regex(j.modules[0]!.cause, /ipt_owner/);
});

test('SELinux enforcing with container-selinux: no, citing the enforce file', (t) => {
  const j = judgeAutoload(facts({ selinux: enforcing, osId: 'rocky' }), 'nft', nft);
  t.is(j.value, 'no');
  t.true(j.modules.every((m) => m.label === 'selinux-enforcing'));
  t.regex(j.reason, /SELinux enforcing \(\/sys\/fs\/selinux\/enforce: 1\).*xt_owner, xt_REDIRECT/);
});

test('SELinux enforcing: the pod domain from lxc_contexts is cited; an unconfined domain (spc_t) may autoload', (t) => {
  const withDomain = (domain: string) => ({
    ...enforcing,
    containerDomain: { domain, source: `/etc/selinux/targeted/contexts/lxc_contexts:1: process = "system_u:system_r:${domain}:s0"` },
  });
  const confined = judgeAutoload(facts({ selinux: withDomain('container_t'), osId: 'rocky' }), 'nft', nft);
  t.is(confined.value, 'no');
  t.regex(confined.reason, /pods run as container_t \(\/etc\/selinux\/targeted\/contexts\/lxc_contexts:1/);
  t.is(judgeAutoload(facts({ selinux: withDomain('spc_t'), osId: 'rocky' }), 'nft', nft).value, 'yes');
});

test("SELinux enforcing on Bottlerocket (its own policy allows module_request): yes", (t) => {
  t.is(judgeAutoload(facts({ selinux: enforcing, osId: 'bottlerocket' }), 'nft', nft).value, 'yes');
});

test('SELinux permissive or disabled: yes', (t) => {
  t.is(judgeAutoload(facts({ selinux: { mode: 'permissive', evidence: ['/sys/fs/selinux/enforce: 0'] } }), 'nft', nft).value, 'yes');
  t.is(judgeAutoload(facts({ selinux: { mode: 'disabled', evidence: [] } }), 'nft', nft).value, 'yes');
});

test('modules disabled, empty or neutralised kernel.modprobe: no', (t) => {
  const disabled = judgeAutoload(facts({ modulesDisabled: true, modulesDisabledSource: '/proc/sys/kernel/modules_disabled: 1' }), 'nft', nft);
  t.is(disabled.value, 'no');
  t.is(disabled.modules[0]!.label, 'modules-disabled');
  t.regex(disabled.reason, /modules_disabled: 1/);
  const empty = judgeAutoload(facts({ modprobePath: '', modprobePathSource: '/proc/sys/kernel/modprobe: ""' }), 'nft', nft);
  t.is(empty.value, 'no');
  t.is(empty.modules[0]!.label, 'no-modprobe');
  t.is(judgeAutoload(facts({ modprobePath: '/bin/true' }), 'nft', nft).value, 'no');
});

test('unreadable facts: unknown, naming every one', (t) => {
  const j = judgeAutoload(
    facts({ modulesDisabled: undefined, modulesDisabledSource: '/proc/sys/kernel/modules_disabled: not readable', modprobePath: undefined, modprobePathSource: '/proc/sys/kernel/modprobe: not readable' }),
    'nft',
    nft,
  );
  t.is(j.value, 'unknown');
  t.regex(j.reason, /modules_disabled: not readable.*modprobe: not readable/);
  // A blocking cause wins over an unknown one.
  t.is(nodeBlock(facts({ modulesDisabled: undefined, modprobePath: '' }))?.value, 'no');
});

test('legacy without ip_tables loaded cannot bootstrap, even with no other blocker', (t) => {
  const j = judgeAutoload(facts(), 'legacy', legacyNoCore);
  t.is(j.value, 'no');
  t.deepEqual(j.modules.map((m) => m.label), ['legacy-bootstrap', 'legacy-bootstrap', 'legacy-bootstrap']);
  t.regex(j.reason, /ip_tables is not loaded.*ip_tables, iptable_nat, iptable_raw/);
});

test('legacy without ip_tables under SELinux enforcing names both causes', (t) => {
  const j = judgeAutoload(facts({ selinux: enforcing, osId: 'rocky' }), 'legacy', legacyNoCore);
  t.deepEqual(j.modules[0]!.also, ['selinux-enforcing']);
  t.regex(j.modules[0]!.cause, /cannot bootstrap.*SELinux enforcing/);
});

test('legacy with ip_tables loaded: tables autoload by name; still no under SELinux enforcing', (t) => {
  t.is(judgeAutoload(facts(), 'legacy', legacyCore).value, 'yes');
  t.is(judgeAutoload(facts({ selinux: enforcing }), 'legacy', legacyCore).value, 'no');
});

test('legacy IPv6: ip6_tables not loaded blocks the ip6table_* modules', (t) => {
  const j = judgeAutoload(facts(), 'legacy', [...legacyCore, mod('ip6_tables', 'loadable'), mod('ip6table_nat', 'loadable')]);
  const by = Object.fromEntries(j.modules.map((m) => [m.module, m.value]));
  t.deepEqual(by, { iptable_nat: 'yes', iptable_raw: 'yes', ip6_tables: 'no', ip6table_nat: 'no' });
});

const directive = (kind: 'install' | 'blacklist', module: string, text: string, line = 3) => ({
  kind,
  module,
  ...(kind === 'install' ? { command: text.split(/\s+/).slice(2).join(' ') } : {}),
  file: '/etc/modprobe.d/hardening.conf',
  line,
  text,
});

test('install <module> /bin/false: no, naming file and line; a command that still loads it is fine', (t) => {
  const blocked = judgeAutoload(facts({ modprobeD: [directive('install', 'iptable_raw', 'install iptable_raw /bin/false', 5)] }), 'legacy', legacyCore);
  const raw = blocked.modules.find((m) => m.module === 'iptable_raw')!;
  t.is(raw.value, 'no');
  t.is(raw.label, 'install-blocked');
  t.is(raw.blockedBy, '/etc/modprobe.d/hardening.conf:5: install iptable_raw /bin/false');
  t.is(blocked.modules.find((m) => m.module === 'iptable_nat')!.value, 'yes');

  const wrapper = directive('install', 'iptable_raw', 'install iptable_raw /sbin/modprobe --ignore-install iptable_raw && echo loaded');
  t.is(judgeAutoload(facts({ modprobeD: [wrapper] }), 'legacy', legacyCore).value, 'yes');
  t.is(installBlock(wrapper), undefined);
  const custom = directive('install', 'iptable_raw', 'install iptable_raw /usr/local/bin/audit-load');
  t.is(judgeAutoload(facts({ modprobeD: [custom] }), 'legacy', legacyCore).modules.find((m) => m.module === 'iptable_raw')!.value, 'unknown');
});

test('blacklist stops alias requests only (kmod modprobe.d(5)): xt_owner via ipt_owner no, iptable_raw by name yes', (t) => {
  const j = judgeAutoload(facts({ modprobeD: [directive('blacklist', 'xt_owner', 'blacklist xt_owner'), directive('blacklist', 'iptable_raw', 'blacklist iptable_raw')] }), 'legacy', [
    ...legacyCore,
    mod('xt_owner', 'loadable'),
  ]);
  const by = Object.fromEntries(j.modules.map((m) => [m.module, [m.value, m.label]]));
  t.deepEqual(by['xt_owner'], ['no', 'blacklisted']);
  t.deepEqual(by['iptable_raw'], ['yes', 'autoload']);
  t.is(installBlock(directive('blacklist', 'xt_owner', 'blacklist xt_owner')), undefined, 'a blacklist does not stop modprobe by name');
});

test('br_netfilter: nothing in the mesh pod loads it', (t) => {
  const j = judgeAutoload(facts(), 'nft', [mod('br_netfilter', 'loadable')]);
  t.is(j.modules[0]!.label, 'host-only');
  t.is(j.value, 'no');
});

test('nothing to load: the node-level value, and the reason says nothing needs loading', (t) => {
  const ok = judgeAutoload(facts(), 'nft', [mod('xt_owner', 'loaded')]);
  t.is(ok.value, 'yes');
  t.regex(ok.reason, /^nothing to load/);
  const blocked = judgeAutoload(facts({ selinux: enforcing }), 'nft', [mod('xt_owner', 'builtin')]);
  t.is(blocked.value, 'no');
  t.deepEqual(blocked.modules, []);
});
