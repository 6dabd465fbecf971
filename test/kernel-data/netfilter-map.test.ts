import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { MODULES, HISTORIC_MODULES, kconfigSymbolsFor, tableModules, coreModules, extensionModules } from '../../checks/kernel-data/netfilter-map.ts';

test('kconfigSymbolsFor: the documented examples', (t) => {
  t.deepEqual(kconfigSymbolsFor('xt_REDIRECT'), ['CONFIG_NETFILTER_XT_TARGET_REDIRECT']);
  t.deepEqual(kconfigSymbolsFor('iptable_nat'), ['CONFIG_IP_NF_NAT']);
  t.deepEqual(kconfigSymbolsFor('iptable_raw'), ['CONFIG_IP_NF_RAW']);
  t.deepEqual(kconfigSymbolsFor('br_netfilter'), ['CONFIG_BRIDGE_NETFILTER']);
  t.deepEqual(kconfigSymbolsFor('nf_tables'), ['CONFIG_NF_TABLES']);
  t.deepEqual(kconfigSymbolsFor('nft_compat'), ['CONFIG_NFT_COMPAT']);
  t.deepEqual(kconfigSymbolsFor('nft_chain_nat'), ['CONFIG_NFT_NAT']);
  t.true(kconfigSymbolsFor('ip_tables').includes('CONFIG_IP_NF_IPTABLES'));
  t.deepEqual(kconfigSymbolsFor('nf_nat_ipv4'), ['CONFIG_NF_NAT_IPV4']);
  t.deepEqual(kconfigSymbolsFor('not_a_module'), []);
});

test('backends: legacy uses iptable_* tables, nft uses nft_chain_nat and no iptable_*', (t) => {
  t.deepEqual(tableModules('legacy', 'ipv4', 'nat'), ['iptable_nat', 'nf_nat', 'nf_conntrack']);
  t.deepEqual(tableModules('legacy', 'ipv6', 'raw'), ['ip6table_raw']);
  t.deepEqual(tableModules('nft', 'ipv4', 'nat'), ['nft_chain_nat', 'nf_nat', 'nf_conntrack']);
  t.deepEqual(tableModules('nft', 'ipv6', 'mangle'), []);
  t.deepEqual(coreModules('legacy', 'ipv6'), ['x_tables', 'ip6_tables']);
  t.deepEqual(coreModules('nft', 'ipv4'), ['nf_tables', 'nft_compat', 'x_tables']);
});

test('extensions: REDIRECT pulls nf_nat_redirect, TPROXY pulls per-family helpers, verdicts need nothing', (t) => {
  t.deepEqual(extensionModules('target', 'REDIRECT', 'ipv4'), ['xt_REDIRECT', 'nf_nat', 'nf_nat_redirect']);
  t.deepEqual(extensionModules('target', 'TPROXY', 'ipv6'), ['xt_TPROXY', 'nf_tproxy_ipv6', 'nf_defrag_ipv6']);
  t.deepEqual(extensionModules('target', 'RETURN', 'ipv4'), []);
  t.is(extensionModules('match', 'nope', 'ipv4'), undefined);
});

// Real-config check: on a kernel whose /proc/config.gz is readable, every current module's first
// symbol must exist in that config (names verified against a real kernel, not typed from memory).
test('every current module symbol exists in this kernel\'s config', async (t) => {
  let text: string;
  try {
    text = gunzipSync(await readFile('/proc/config.gz')).toString('utf8');
  } catch {
    t.log('skipped: /proc/config.gz not readable');
    t.pass();
    return;
  }
  const present = new Set([...text.matchAll(/^(?:# )?(CONFIG_[A-Z0-9_]+)[= ]/gm)].map((m) => m[1]));
  for (const [name, info] of Object.entries(MODULES)) {
    t.true(info.kconfig.some((s) => present.has(s)), `${name}: none of ${info.kconfig.join(', ')} in /proc/config.gz`);
  }
  t.true(Object.keys(HISTORIC_MODULES).length > 0);
});
