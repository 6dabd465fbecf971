import test from 'ava';
import { resolveModule, knownModuleNames, MODULE_CHANGES } from '../../checks/kernel-data/module-history.ts';
import type { KernelVersion } from '../../src/modules/types.ts';

const k = (s: string): KernelVersion => {
  const [major = 0, minor = 0, patch = 0] = s.split('.').map(Number);
  return { major, minor, patch };
};

test('nf_conntrack_ipv4: separate before 4.19, in nf_conntrack after', (t) => {
  t.is(resolveModule('nf_conntrack_ipv4', k('4.14.0'), '4.14.0-1-amd64').providedBy, undefined);
  t.is(resolveModule('nf_conntrack_ipv4', k('4.19.0'), '4.19.0-21-amd64').providedBy, 'nf_conntrack');
  t.is(resolveModule('nf_conntrack_ipv6', k('6.1.0')).providedBy, 'nf_conntrack');
});

test('RHEL 8.3+ 4.18.0 builds ≥ 240 count as merged; older RHEL 8 builds do not', (t) => {
  const merged = resolveModule('nf_conntrack_ipv4', k('4.18.0'), '4.18.0-240.1.1.el8_3.x86_64');
  t.is(merged.providedBy, 'nf_conntrack');
  t.regex(merged.note ?? '', /RHEL 8\.3/);
  t.is(resolveModule('nf_conntrack_ipv4', k('4.18.0'), '4.18.0-513.5.1.el8_9.x86_64').providedBy, 'nf_conntrack');
  t.is(resolveModule('nf_conntrack_ipv4', k('4.18.0'), '4.18.0-193.el8.x86_64').providedBy, undefined);
  t.is(resolveModule('nf_conntrack_ipv4', k('4.18.0'), '4.18.0-240-generic').providedBy, undefined, 'not an el8 kernel');
});

test('nf_nat_ipv4 and nf_nat_redirect live in nf_nat from 5.1', (t) => {
  t.is(resolveModule('nf_nat_ipv4', k('5.0.21')).providedBy, undefined);
  t.is(resolveModule('nf_nat_ipv4', k('5.1.0')).providedBy, 'nf_nat');
  t.is(resolveModule('nf_nat_redirect', k('4.19.0')).providedBy, undefined);
  t.is(resolveModule('nf_nat_redirect', k('6.18.0')).providedBy, 'nf_nat');
});

test('nft_chain_nat: per-family module before 5.1, one module after', (t) => {
  t.is(resolveModule('nft_chain_nat', k('4.19.0')).providedBy, 'nft_chain_nat_ipv4');
  t.is(resolveModule('nft_chain_nat', k('5.4.0')).providedBy, undefined);
  t.is(resolveModule('nft_chain_nat_ipv4', k('5.10.0')).providedBy, 'nft_chain_nat');
  t.is(resolveModule('nft_chain_nat_ipv6', k('5.0.0')).providedBy, undefined);
});

test('aliases: ipt_REDIRECT → xt_REDIRECT, xt_MARK → xt_mark, xt_CONNMARK → xt_connmark', (t) => {
  t.is(resolveModule('ipt_REDIRECT', k('5.15.0')).providedBy, 'xt_REDIRECT');
  t.is(resolveModule('xt_REDIRECT', k('3.2.0')).providedBy, 'ipt_REDIRECT');
  t.is(resolveModule('xt_REDIRECT', k('5.15.0')).providedBy, undefined);
  t.is(resolveModule('xt_MARK', k('4.4.0')).providedBy, 'xt_mark');
  t.is(resolveModule('xt_CONNMARK', k('6.1.0')).providedBy, 'xt_connmark');
});

test('unknown kernel: names with history get a note, others pass through', (t) => {
  const r = resolveModule('nf_nat_redirect', undefined);
  t.is(r.providedBy, undefined);
  t.regex(r.note ?? '', /kernel version unknown/);
  t.deepEqual(resolveModule('xt_owner', undefined), { name: 'xt_owner' });
  t.deepEqual(resolveModule('xt_owner', k('6.18.0')), { name: 'xt_owner' });
});

test('every change is cited and names known modules', (t) => {
  const known = knownModuleNames();
  for (const c of MODULE_CHANGES) {
    t.true(c.source.length > 10, c.name);
    t.true(known.has(c.name) && known.has(c.carrier), c.name);
    t.true(Boolean(c.from) !== Boolean(c.before), `${c.name}: exactly one of from/before`);
  }
  for (const n of ['br_netfilter', 'xt_REDIRECT', 'iptable_raw', 'nft_compat', 'nf_conntrack_ipv4']) t.true(known.has(n), n);
  t.false(known.has('xt_nonexistent'));
});
