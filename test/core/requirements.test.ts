import test from 'ava';
import { allRequirementOptions } from '../helpers/requirement-options.ts';
import { deriveRequirements } from '../../src/core/requirements.ts';
import type { RequirementOptions, Requirements } from '../../src/core/requirements.types.ts';
import { realExec } from '../../src/host/exec.ts';
import { needs } from '../helpers/requirements.ts';

const base: RequirementOptions = { mesh: 'istio', backend: 'legacy', dnsCapture: false, interception: 'redirect', ipv6: false };
const names = (r: Requirements): string[] => r.modules.map((m) => m.name);
const derive = (o: Partial<RequirementOptions>): Requirements => deriveRequirements({ ...base, ...o });

const allOptions = allRequirementOptions;

// The operators' runbook list (istio/istio#23009, #44118: modules-load.d/istio-iptables.conf).
const RUNBOOK = ['br_netfilter', 'nf_nat', 'nf_nat_redirect', 'xt_REDIRECT', 'xt_owner', 'iptable_nat', 'iptable_mangle', 'iptable_filter'];
// Genuine extras the rules need: x_tables + ip_tables (every legacy IPv4 rule goes through them),
// xt_tcpudp (`-p tcp --dport`), nf_conntrack (nf_nat is built on conntrack).
const EXTRAS = ['ip_tables', 'x_tables', 'xt_tcpudp', 'nf_conntrack'];

test('istio legacy redirect: exactly the runbook list plus the justified extras', (t) => {
  const r = derive({});
  t.deepEqual(names(r), [...RUNBOOK, ...EXTRAS].sort());
  t.deepEqual(r.kconfig, []);
  t.deepEqual(r.families, ['ipv4']);
  t.deepEqual(r.tables, { ipv4: ['nat'] });
  t.is(r.proxyUid, 1337);
  t.deepEqual(r.initContainers, ['istio-init', 'istio-validation']);
});

test('every module requirement says why and cites a source', (t) => {
  for (const o of allOptions()) {
    for (const m of deriveRequirements(o).modules) {
      t.true(m.requiredFor.length > 0, `${m.name} has no requiredFor`);
      t.true(m.sources.length > 0 && m.sources.every((s) => s.trim() !== ''), `${m.name} has no source`);
    }
  }
});

test('iptable_filter and iptable_mangle carry the reason Istio needs them in REDIRECT mode', (t) => {
  const r = derive({});
  const filter = r.modules.find((m) => m.name === 'iptable_filter');
  const mangle = r.modules.find((m) => m.name === 'iptable_mangle');
  t.truthy(filter?.sources.some((s) => s.includes('buildGuardrails')));
  t.truthy(mangle?.sources.some((s) => s.includes('platform-requirements')));
});

test('istio dnsCapture adds iptable_raw, xt_CT, multiport and CONFIG_NF_CONNTRACK_ZONES', (t) => {
  const r = derive({ dnsCapture: true });
  for (const m of [...RUNBOOK, 'iptable_raw', 'xt_CT', 'xt_multiport']) t.true(names(r).includes(m), m);
  t.deepEqual(r.kconfig.map((k) => k.symbol), ['CONFIG_NF_CONNTRACK_ZONES']);
  t.deepEqual(r.tables.ipv4, ['nat', 'raw']);
  t.regex(r.ruleset.ipv4 ?? '', /-j CT --zone 1/);
  t.regex(r.ruleset.ipv4 ?? '', /--to-ports 15053/);
});

test('nft backend: no iptable_* or ip_tables, but nf_tables, nft_compat, nft_chain_nat and the xt_* extensions', (t) => {
  for (const dnsCapture of [false, true]) {
    const r = derive({ backend: 'nft', dnsCapture, ipv6: true });
    const n = names(r);
    t.false(n.some((m) => /^ip6?table_/.test(m) || m === 'ip_tables' || m === 'ip6_tables'), n.join(' '));
    for (const m of ['nf_tables', 'nft_compat', 'nft_chain_nat', 'xt_REDIRECT', 'xt_owner', 'nf_nat', 'br_netfilter']) t.true(n.includes(m), m);
    t.is(n.includes('xt_CT'), dnsCapture);
  }
});

test('ipv6 adds the ip6table_* variants on legacy', (t) => {
  const r = derive({ ipv6: true, dnsCapture: true });
  for (const m of ['ip6_tables', 'ip6table_nat', 'ip6table_mangle', 'ip6table_filter', 'ip6table_raw']) t.true(names(r).includes(m), m);
  t.deepEqual(r.families, ['ipv4', 'ipv6']);
  t.regex(r.ruleset.ipv6 ?? '', /-s ::6\/128/);
  t.notRegex(r.ruleset.ipv6 ?? '', /127\.0\.0\./);
  t.false(names(derive({})).includes('ip6table_nat'));
});

test('istio tproxy: mangle TPROXY, MARK/CONNMARK, conntrack and tproxy helpers', (t) => {
  const r = derive({ interception: 'tproxy', ipv6: true });
  for (const m of ['xt_TPROXY', 'xt_mark', 'xt_connmark', 'xt_conntrack', 'nf_tproxy_ipv4', 'nf_tproxy_ipv6', 'nf_defrag_ipv4', 'nf_defrag_ipv6']) {
    t.true(names(r).includes(m), m);
  }
  t.deepEqual(r.tables.ipv4, ['mangle', 'nat']);
  t.regex(r.ruleset.ipv4 ?? '', /-j TPROXY --tproxy-mark 1337\/0xffffffff --on-port 15006/);
  const natSection = (r.ruleset.ipv4 ?? '').split('* nat')[1] ?? '';
  t.false(natSection.includes('-A PREROUTING'), 'inbound goes through mangle TPROXY, not nat, in tproxy mode');
  t.false(names(derive({})).includes('xt_TPROXY'));
});

test('linkerd: owner 2102, multiport, comment, REDIRECT 4143/4140, nat only', (t) => {
  const r = derive({ mesh: 'linkerd' });
  t.is(r.proxyUid, 2102);
  t.deepEqual(r.initContainers, ['linkerd-init']);
  for (const m of ['xt_owner', 'xt_multiport', 'xt_comment', 'xt_REDIRECT', 'iptable_nat', 'nf_nat']) t.true(names(r).includes(m), m);
  t.false(names(r).includes('iptable_mangle'));
  t.false(names(r).includes('br_netfilter'));
  t.regex(r.ruleset.ipv4 ?? '', /--uid-owner 2102/);
  t.regex(r.ruleset.ipv4 ?? '', /REDIRECT --to-ports 4143/);
  t.regex(r.ruleset.ipv4 ?? '', /REDIRECT --to-ports 4140/);
  t.notRegex(r.ruleset.ipv4 ?? '', /1337/);
  // Linkerd has neither DNS capture nor TPROXY: the options do not change its needs.
  t.deepEqual(derive({ mesh: 'linkerd', dnsCapture: true, interception: 'tproxy' }), r);
  t.deepEqual(derive({ mesh: 'linkerd', ipv6: true }).tables, { ipv4: ['nat'], ipv6: ['nat'] });
});

test('minKernel follows the backend and carries a source', (t) => {
  for (const o of allOptions()) {
    const { minKernel } = deriveRequirements(o);
    t.regex(minKernel.release, /^\d+\.\d+/);
    t.true(minKernel.source.length > 20);
  }
  t.is(derive({ mesh: 'linkerd', backend: 'nft' }).minKernel.release, '3.13');
});

test('deterministic: same options, same output; modules sorted', (t) => {
  for (const o of allOptions()) {
    const a = deriveRequirements(o);
    t.deepEqual(a, deriveRequirements({ ...o }));
    t.deepEqual(names(a), [...names(a)].sort());
  }
});

// Kernel acceptance: apply every generated ruleset for real in a throwaway network namespace
// (`unshare -n`), with both backends' restore binaries. Nothing touches the host's own tables.

async function restore(backend: 'legacy' | 'nft', family: 'ipv4' | 'ipv6', rules: string) {
  const bin = `${family === 'ipv4' ? 'iptables' : 'ip6tables'}-${backend}-restore`;
  return realExec('unshare', ['-n', bin], { input: rules, timeoutMs: 20_000 });
}

needs('root', 'unshare', 'iptables').serial('the kernel accepts every generated ruleset on both backends', async (t) => {
  // The harness must be able to fail: a rule with an unknown target is rejected.
  const bad = await restore('legacy', 'ipv4', '*nat\n-A OUTPUT -j NO_SUCH_TARGET\nCOMMIT\n');
  t.false(bad.ok, 'a broken ruleset must be rejected');
  let applied = 0;
  for (const o of allOptions()) {
    const r = deriveRequirements(o);
    for (const family of r.families) {
      const rules = r.ruleset[family] ?? '';
      t.not(rules, '');
      const result = await restore(o.backend, family, rules);
      t.true(result.ok, `${JSON.stringify(o)} ${family}: ${result.error ?? ''}\n${rules}`);
      applied++;
    }
  }
  t.log(`applied ${applied} rulesets`);
});
