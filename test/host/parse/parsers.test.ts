import test from 'ava';
import { parseKconfig } from '../../../src/host/parse/kconfig.ts';
import { moduleNameFromPath, parseModulesAlias, parseModulesBuiltin, parseModulesDep } from '../../../src/host/parse/modules-files.ts';
import { loadedModuleNames, parseProcModules } from '../../../src/host/parse/proc-modules.ts';
import { parseOsRelease } from '../../../src/host/parse/os-release.ts';
import { classifyOs } from '../../../src/host/os-family.ts';

// Format: proc(5) /proc/modules, as printed by a 5.15 Ubuntu kernel.
const PROC_MODULES = `xt_owner 16384 1 - Live 0x0000000000000000
iptable_nat 16384 1 - Live 0xffffffffc0a4e000
nf_nat 49152 3 xt_MASQUERADE,iptable_nat,xt_nat, Live 0x0000000000000000
br_netfilter 32768 0 - Live 0x0000000000000000
bridge 311296 1 br_netfilter, Live 0x0000000000000000
nf-conntrack-broken-line
going_away 16384 0 - Unloading 0x0000000000000000
`;

test('parseProcModules reads name, size, refcount, users and state', (t) => {
  const modules = parseProcModules(PROC_MODULES);
  t.is(modules.length, 6);
  t.deepEqual(modules[2], { name: 'nf_nat', size: 49152, refcount: 3, usedBy: ['xt_MASQUERADE', 'iptable_nat', 'xt_nat'], state: 'Live' });
  t.deepEqual([...loadedModuleNames(PROC_MODULES)].sort(), ['br_netfilter', 'bridge', 'iptable_nat', 'nf_nat', 'xt_owner']);
});

test('parseKconfig reads y, m, strings and "is not set"', (t) => {
  const values = parseKconfig(`#
# Automatically generated file; DO NOT EDIT.
CONFIG_NETFILTER_XT_MATCH_OWNER=m
CONFIG_IP_NF_NAT=y
# CONFIG_NETFILTER_XTABLES_LEGACY is not set
CONFIG_LOCALVERSION="-generic"
CONFIG_NR_CPUS=8192
garbage line
`);
  t.is(values.get('CONFIG_NETFILTER_XT_MATCH_OWNER'), 'm');
  t.is(values.get('CONFIG_IP_NF_NAT'), 'y');
  t.is(values.get('CONFIG_NETFILTER_XTABLES_LEGACY'), 'n');
  t.is(values.get('CONFIG_LOCALVERSION'), '-generic');
  t.is(values.get('CONFIG_NR_CPUS'), '8192');
  t.is(values.size, 5);
});

test('module paths: suffixes and dash normalisation', (t) => {
  t.is(moduleNameFromPath('kernel/net/netfilter/xt_REDIRECT.ko.zst'), 'xt_REDIRECT');
  t.is(moduleNameFromPath('kernel/net/ipv4/netfilter/iptable_nat.ko.xz'), 'iptable_nat');
  t.is(moduleNameFromPath('kernel/net/bridge/br_netfilter.ko'), 'br_netfilter');
  t.is(moduleNameFromPath('kernel/drivers/foo/snd-hda-intel.ko.gz'), 'snd_hda_intel');
  t.is(moduleNameFromPath('kernel/net/netfilter/README'), undefined);
});

test('modules.builtin, modules.dep and modules.alias', (t) => {
  t.deepEqual([...parseModulesBuiltin('kernel/net/netfilter/x_tables.ko\nkernel/net/netfilter/xt_tcpudp.ko\n\n')], ['x_tables', 'xt_tcpudp']);
  const dep = parseModulesDep(
    'kernel/net/netfilter/xt_owner.ko.zst:\nkernel/net/ipv4/netfilter/iptable_nat.ko.zst: kernel/net/netfilter/nf_nat.ko.zst kernel/net/ipv4/netfilter/ip_tables.ko.zst\n',
  );
  t.is(dep.get('xt_owner'), 'kernel/net/netfilter/xt_owner.ko.zst');
  t.is(dep.get('iptable_nat'), 'kernel/net/ipv4/netfilter/iptable_nat.ko.zst');
  t.false(dep.has('nf_nat'), 'dependencies on the right side are not entries of their own');
  const aliases = parseModulesAlias('# Aliases extracted from modules themselves.\nalias ipt_REDIRECT xt_REDIRECT\nalias ip6t_REDIRECT xt_REDIRECT\nalias pci:v00008086d* e1000e\n');
  t.deepEqual(aliases.get('ipt_REDIRECT'), ['xt_REDIRECT']);
  t.is(aliases.size, 2);
});

test('os-release: quoting and family classification', (t) => {
  const rocky = parseOsRelease('NAME="Rocky Linux"\nVERSION_ID="8.9"\nID="rocky"\nID_LIKE="rhel centos fedora"\nPRETTY_NAME="Rocky Linux 8.9 (Green Obsidian)"\n');
  t.is(rocky['PRETTY_NAME'], 'Rocky Linux 8.9 (Green Obsidian)');
  t.like(classifyOs(rocky), { family: 'rhel', major: 8 });
  t.like(classifyOs(parseOsRelease('ID=talos\nVERSION_ID=v1.12.0\n')), { family: 'immutable', immutable: 'talos' });
  t.like(classifyOs(parseOsRelease("ID=ubuntu\nVERSION_ID='22.04'\n")), { family: 'ubuntu', major: 22 });
  t.like(classifyOs(parseOsRelease('ID=fedora\nVARIANT_ID=coreos\n')), { family: 'immutable', immutable: 'fedora-coreos' });
  t.like(classifyOs({}), { family: 'other' });
});
