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

// ---- issue 16: every mode ----

const mode = (o: Partial<RequirementOptions>): Requirements => deriveRequirements({ ...base, backend: 'nft', ...o });

test('istio ambient (1.24+, iptables): ipset, set match, SNAT, mark/connmark, REDIRECT, policy routing; no TPROXY', (t) => {
  const r = mode({ dataplane: 'ambient' });
  for (const m of ['ip_set', 'ip_set_hash_ip', 'xt_set', 'xt_mark', 'xt_connmark', 'xt_nat', 'xt_owner', 'xt_REDIRECT', 'nf_nat', 'br_netfilter']) t.true(names(r).includes(m), m);
  t.false(names(r).includes('xt_TPROXY'));
  t.false(names(r).includes('xt_CT'), 'no DNS capture asked');
  t.deepEqual(r.kconfig.map((k) => k.symbol), ['CONFIG_IP_MULTIPLE_TABLES']);
  t.deepEqual(r.ipsets, [{ name: 'istio-inpod-probes-v4', type: 'hash:ip', family: 'ipv4', comment: true, source: r.ipsets[0]!.source }]);
  t.deepEqual(r.ipRules.map((x) => [x.fwmark, x.table, x.priority]), [['0x111/0xfff', 100, 32764]]);
  t.regex(r.ruleset.ipv4 ?? '', /-A ISTIO_PRERT ! -d 127\.0\.0\.1\/32 -p tcp ! --dport 15008 -m mark ! --mark 0x539\/0xfff -j REDIRECT --to-ports 15006/);
  t.regex(r.hostRuleset.ipv4 ?? '', /-I POSTROUTING 1 -j ISTIO_POSTRT/);
  t.regex(r.hostRuleset.ipv4 ?? '', /-m owner --socket-exists -p tcp -m set --match-set istio-inpod-probes-v4 dst -j SNAT --to-source 169\.254\.7\.127/);
  t.deepEqual(r.initContainers, ['istio-cni', 'ztunnel']);
  t.is(r.meshVersion, '1.30');
});

test('istio ambient with DNS capture adds the raw table, xt_CT and conntrack zones (1.24+)', (t) => {
  const r = mode({ dataplane: 'ambient', dnsCapture: true });
  for (const m of ['xt_CT', 'xt_tcpudp']) t.true(names(r).includes(m), m);
  t.deepEqual(r.tables.ipv4, ['mangle', 'nat', 'raw']);
  t.deepEqual(r.kconfig.map((k) => k.symbol).sort(), ['CONFIG_IP_MULTIPLE_TABLES', 'CONFIG_NF_CONNTRACK_ZONES']);
});

test('istio ambient follows --mesh-version: TPROXY in 1.22–1.23, one ipset in 1.22, -v4/-v6 from 1.23, -A POSTROUTING before 1.27', (t) => {
  const v122 = mode({ dataplane: 'ambient', meshVersion: '1.22', ipv6: true });
  t.true(names(v122).includes('xt_TPROXY'));
  t.true(names(v122).includes('xt_conntrack'));
  t.deepEqual(v122.ipsets.map((s) => s.name), ['istio-inpod-probes']);
  t.notRegex(v122.hostRuleset.ipv6 ?? '', /SNAT/, '1.22 matched its one IPv4 set from ip6tables too, which the kernel refuses: no IPv6 SNAT modelled');
  t.regex(v122.hostRuleset.ipv4 ?? '', /-A POSTROUTING -j ISTIO_POSTRT/);
  const v123 = mode({ dataplane: 'ambient', meshVersion: '1.23', ipv6: true });
  t.true(names(v123).includes('xt_TPROXY'));
  t.deepEqual(v123.ipsets.map((s) => s.name), ['istio-inpod-probes-v4', 'istio-inpod-probes-v6']);
  t.deepEqual(v123.kconfig.map((k) => k.symbol).sort(), ['CONFIG_IPV6_MULTIPLE_TABLES', 'CONFIG_IP_MULTIPLE_TABLES']);
  const v124 = mode({ dataplane: 'ambient', meshVersion: '1.24' });
  t.false(names(v124).includes('xt_TPROXY'));
  t.false(names(v124).includes('xt_conntrack'));
  t.regex(v124.hostRuleset.ipv4 ?? '', /-A POSTROUTING -j ISTIO_POSTRT/);
  t.regex(mode({ dataplane: 'ambient', meshVersion: '1.27' }).hostRuleset.ipv4 ?? '', /-I POSTROUTING 1 -j ISTIO_POSTRT/);
});

test('an unknown --mesh-version derives for the nearest known release', (t) => {
  t.is(mode({ dataplane: 'ambient', meshVersion: '1.19' }).meshVersion, '1.22');
  t.is(mode({ dataplane: 'ambient', meshVersion: '1.40' }).meshVersion, '1.30');
  t.true(names(mode({ dataplane: 'ambient', meshVersion: '1.19' })).includes('xt_TPROXY'));
});

test('istio native nftables: nft_* modules from the rules and Istio\'s list, kernel ≥ 5.13, nft ≥ 1.0.1, no iptables modules', (t) => {
  for (const dataplane of ['sidecar', 'ambient'] as const) {
    const r = mode({ dataplane, nativeNftables: true, dnsCapture: true });
    t.is(r.engine, 'nftables');
    for (const m of ['nf_tables', 'nft_ct', 'nft_chain_nat', 'nft_redir', 'nft_socket', 'nft_tproxy', 'nf_conntrack', 'nf_nat', 'nf_defrag_ipv4']) t.true(names(r).includes(m), `${dataplane} ${m}`);
    t.false(names(r).some((m) => /^ip6?table_|^ip6?_tables$|^x_tables$|^nft_compat$|^xt_/.test(m)), names(r).join(' '));
    t.deepEqual(r.minKernel.release, '5.13');
    t.is(r.minNft?.version, '1.0.1');
    t.true(r.kconfig.some((k) => k.symbol === 'CONFIG_NF_TABLES_INET'));
    t.true(r.kconfig.some((k) => k.symbol === 'CONFIG_NF_CONNTRACK_ZONES'), 'ct zone set');
    t.regex(r.nft?.pod ?? '', /redirect to :15001/);
  }
  const ambient = mode({ dataplane: 'ambient', nativeNftables: true });
  t.true(names(ambient).includes('nft_nat'), 'snat in the host rule');
  t.regex(ambient.nft?.host ?? '', /snat to 169\.254\.7\.127/);
  t.deepEqual(ambient.ipsets, [], 'nft sets, not ipsets');
  t.is(ambient.ipRules.length, 1);
  const tproxy = mode({ nativeNftables: true, interception: 'tproxy', ipv6: true });
  for (const m of ['nft_tproxy', 'nf_tproxy_ipv4', 'nf_tproxy_ipv6', 'nf_defrag_ipv6']) t.true(names(tproxy).includes(m), m);
  const redir = mode({ nativeNftables: true });
  const why = redir.modules.find((m) => m.name === 'nft_redir');
  t.truthy(why?.sources.some((s) => s.includes('tools/istio-nftables/pkg/capture/testdata')), 'nft_redir cites the golden');
});

test('native nftables before the release that has it is marked unavailable', (t) => {
  t.regex(mode({ nativeNftables: true, meshVersion: '1.26' }).unavailable ?? '', /no native nftables for sidecar \(since 1\.27/);
  t.regex(mode({ dataplane: 'ambient', nativeNftables: true, meshVersion: '1.27' }).unavailable ?? '', /since 1\.28/);
  t.is(mode({ nativeNftables: true, meshVersion: '1.27' }).unavailable, undefined);
});

test('kuma: nat REDIRECT, owner, comment; DNS adds raw CT zones and CONFIG_NF_CONNTRACK_ZONES', (t) => {
  const r = derive({ mesh: 'kuma' });
  t.deepEqual(names(r), ['ip_tables', 'iptable_nat', 'nf_conntrack', 'nf_nat', 'nf_nat_redirect', 'x_tables', 'xt_REDIRECT', 'xt_comment', 'xt_owner']);
  const dns = derive({ mesh: 'kuma', dnsCapture: true });
  for (const m of ['iptable_raw', 'xt_CT', 'xt_tcpudp']) t.true(names(dns).includes(m), m);
  t.deepEqual(dns.kconfig.map((k) => k.symbol), ['CONFIG_NF_CONNTRACK_ZONES']);
  t.deepEqual(r.initContainers, ['kuma-init']);
  t.is(r.proxyUid, 5678);
});

test('consul: nat only, REDIRECT and owner; DNS adds DNAT (xt_nat); IPv4 only', (t) => {
  const r = derive({ mesh: 'consul' });
  t.deepEqual(names(r), ['ip_tables', 'iptable_nat', 'nf_conntrack', 'nf_nat', 'nf_nat_redirect', 'x_tables', 'xt_REDIRECT', 'xt_owner']);
  const dns = derive({ mesh: 'consul', dnsCapture: true, ipv6: true });
  t.true(names(dns).includes('xt_nat'));
  t.deepEqual(dns.families, ['ipv4']);
  t.regex(dns.ruleset.ipv4 ?? '', /-j DNAT --to-destination 127\.0\.0\.1:8600/);
  t.deepEqual(r.initContainers, ['consul-connect-inject-init']);
});

test('a mesh without ambient refuses the ambient dataplane', (t) => {
  t.throws(() => derive({ mesh: 'linkerd', dataplane: 'ambient' }), { message: /linkerd has no ambient dataplane/ });
  t.throws(() => derive({ mesh: 'kuma', nativeNftables: true }), { message: /does not program nftables natively/ });
});
