/**
 * Kuma's transparent proxy (kuma-init, or the kuma-cni plugin), as data.
 *
 * The rule set is kumactl's own test golden for the default configuration on Kubernetes values (kuma-dp uid
 * 5678, inbound 15006, outbound 15001, DNS 15053): kumahq/kuma test/transparentproxy/testdata/
 * alpine-3-default.iptables-nft.golden @ v2.14.3 (`ifPlaceholder` there is the loopback interface, `lo`)
 * and, for DNS, the raw/nat DNS rules of alpine-3-with-multiple-flags.iptables-nft.golden (without that
 * test's extra exclusions). Comments are on by default (pkg/transparentproxy/config/config.go: Comments,
 * prefix `kuma/mesh/transparent/proxy`, consts.go).
 */
import type { MeshProfile, RuleLine } from './types.ts';

const TAG = 'v2.14.3';
const DEFAULT_GOLDEN = `kumahq/kuma test/transparentproxy/testdata/alpine-3-default.iptables-nft.golden @ ${TAG}`;
const DNS_GOLDEN = `kumahq/kuma test/transparentproxy/testdata/alpine-3-with-multiple-flags.iptables-nft.golden @ ${TAG}`;
const CONSTS = `kumahq/kuma pkg/transparentproxy/consts/consts.go @ ${TAG} (OwnerDefaultUID 5678, DefaultRedirectInbountPort 15006, DefaultRedirectDNSPort 15053, IptablesRuleCommentPrefix)`;
const EXECUTABLES = `kumahq/kuma pkg/transparentproxy/config/config_executables.go @ ${TAG} (nft unless only legacy has rules; "failed to find valid nft or legacy executables")`;
const FUNCTIONALITY = `kumahq/kuma pkg/transparentproxy/config/config_executables_functionality.go @ ${TAG} (minimum: nat table, tcp and owner: "unmet minimal requirements")`;

const C = (text: string) => `-m comment --comment "kuma/mesh/transparent/proxy/${text}"`;
const DNS = { dnsCapture: true } as const;
const nat = (rule: RuleLine['rule'], when?: RuleLine['when']): RuleLine => ({ table: 'nat', rule, ...(when ? { when } : {}) });
/** The IPv4 line and its ip6tables twin (alpine-3-default.ip6tables-nft.golden: ::6/128, ::1/128). */
const both = (ipv4: string): RuleLine['rule'] => ({ ipv4, ipv6: ipv4.replace('127.0.0.6/32', '::6/128').replaceAll('127.0.0.1/32', '::1/128') });
const raw = (rule: string): RuleLine => ({ table: 'raw', rule, when: DNS });

const lines: RuleLine[] = [
  raw(`-A PREROUTING -p udp ${C('assign connection tracking zone 1 to all DNS responses')} -m udp --sport 53 -j CT --zone 1`),
  raw(`-A OUTPUT -p udp ${C('assign connection tracking zone 1 to DNS traffic from the kuma-dp user (UID 5678)')} -m udp --dport 53 -m owner --uid-owner 5678 -j CT --zone 1`),
  raw(`-A OUTPUT -p udp ${C('assign connection tracking zone 2 to DNS responses from the kuma-dp DNS proxy')} -m udp --sport 15053 -m owner --uid-owner 5678 -j CT --zone 2`),
  raw(`-A OUTPUT -p udp ${C('assign connection tracking zone 2 to all DNS requests')} -m udp --dport 53 -j CT --zone 2`),
  nat(':KUMA_MESH_INBOUND - [0:0]'),
  nat(':KUMA_MESH_INBOUND_REDIRECT - [0:0]'),
  nat(':KUMA_MESH_OUTBOUND - [0:0]'),
  nat(':KUMA_MESH_OUTBOUND_REDIRECT - [0:0]'),
  nat(`-A PREROUTING -p tcp ${C('redirect inbound TCP traffic to our custom chain for processing')} -j KUMA_MESH_INBOUND`),
  nat(`-A OUTPUT -p udp ${C('return early for DNS traffic from kuma-dp')} -m udp --dport 53 -m owner --uid-owner 5678 -j RETURN`, DNS),
  nat(`-A OUTPUT -p udp ${C('redirect all DNS requests to the kuma-dp DNS proxy (listening on port 15053)')} -m udp --dport 53 -j REDIRECT --to-ports 15053`, DNS),
  nat(`-A OUTPUT -p tcp ${C('allow applications to perform DNS queries over TCP to port 53 without mesh redirection')} -m tcp --dport 53 -m owner ! --uid-owner 5678 -j RETURN`, DNS),
  nat(`-A OUTPUT -p tcp ${C('redirect outbound TCP traffic to our custom chain for processing')} -j KUMA_MESH_OUTBOUND`),
  nat(`-A KUMA_MESH_INBOUND -p tcp ${C('redirect all inbound traffic to the custom chain for processing')} -j KUMA_MESH_INBOUND_REDIRECT`),
  nat(`-A KUMA_MESH_INBOUND_REDIRECT -p tcp ${C('redirect TCP traffic to envoy (port 15006)')} -j REDIRECT --to-ports 15006`),
  nat(both(`-A KUMA_MESH_OUTBOUND -s 127.0.0.6/32 -o lo ${C('prevent traffic loops')} -j RETURN`)),
  nat(both(`-A KUMA_MESH_OUTBOUND ! -d 127.0.0.1/32 -o lo -p tcp ${C('redirect outbound TCP traffic destined for loopback owned by UID 5678')} -m owner --uid-owner 5678 -j KUMA_MESH_INBOUND_REDIRECT`)),
  nat(`-A KUMA_MESH_OUTBOUND -o lo -p tcp ${C('return outbound TCP traffic destined for loopback interface, owned by any UID other than 5678')} -m owner ! --uid-owner 5678 -j RETURN`),
  nat(`-A KUMA_MESH_OUTBOUND ${C('return outbound traffic owned by UID 5678 (kuma-dp user)')} -m owner --uid-owner 5678 -j RETURN`),
  nat(both(`-A KUMA_MESH_OUTBOUND -d 127.0.0.1/32 ${C('return traffic destined for localhost (127.0.0.1/32) to avoid redirection')} -j RETURN`)),
  nat(`-A KUMA_MESH_OUTBOUND ${C('redirect all other outbound traffic to our custom chain for further processing')} -j KUMA_MESH_OUTBOUND_REDIRECT`),
  nat(`-A KUMA_MESH_OUTBOUND_REDIRECT -p tcp ${C('redirect TCP traffic to envoy (port 15001)')} -j REDIRECT --to-ports 15001`),
];

/** The Kuma profile. */
export const kumaProfile = {
  mesh: 'kuma',
  proxyUid: 5678,
  proxyUidSource: CONSTS,
  initContainers: ['kuma-init'],
  initContainersSource: `kumahq/kuma pkg/plugins/runtime/k8s/webhooks/injector/injector.go @ ${TAG} (init container kuma-init, unless the kuma-cni plugin is used)`,
  supports: { dnsCapture: true, tproxy: false, ipv6: true },
  dataplanes: ['sidecar'],
  versions: { known: ['2.14'], source: `kumahq/kuma tag ${TAG}` },
  backendPolicy: { sidecar: 'node', cni: 'node', source: EXECUTABLES },
  minKernel: {
    legacy: { release: '3.10', source: `Kuma states no minimum kernel; ${FUNCTIONALITY} checks functionality (tables, matches) instead; every construct used (nat REDIRECT, raw CT, owner, comment, tcp/udp) predates 3.10` },
    nft: { release: '3.13', source: `${EXECUTABLES}; nf_tables and nft_compat (iptables-nft) were merged in Linux 3.13` },
  },
  tables: [
    { table: 'nat', why: 'KUMA_MESH_INBOUND/OUTBOUND chains, REDIRECT to 15006/15001 (15053 for DNS)', source: DEFAULT_GOLDEN },
    { table: 'raw', when: DNS, why: 'DNS conntrack zones (CT --zone 1/2)', source: DNS_GOLDEN },
  ],
  extensions: [
    { kind: 'target', name: 'REDIRECT', tables: ['nat'], why: 'REDIRECT --to-ports 15006/15001', source: DEFAULT_GOLDEN },
    { kind: 'match', name: 'owner', tables: ['nat'], why: '--uid-owner 5678 exempts kuma-dp', source: DEFAULT_GOLDEN },
    { kind: 'match', name: 'comment', tables: ['nat'], why: 'every rule carries --comment kuma/mesh/transparent/proxy/…', source: `${DEFAULT_GOLDEN}; ${CONSTS}` },
    { kind: 'match', name: 'comment', tables: ['raw'], when: DNS, why: 'every rule carries a comment', source: DNS_GOLDEN },
    { kind: 'match', name: 'udp', tables: ['nat', 'raw'], when: DNS, why: '-m udp --dport/--sport 53, --sport 15053', source: DNS_GOLDEN },
    { kind: 'match', name: 'tcp', tables: ['nat'], when: DNS, why: '-m tcp --dport 53', source: DNS_GOLDEN },
    { kind: 'match', name: 'owner', tables: ['raw'], when: DNS, why: 'kuma-dp DNS traffic to its own conntrack zone', source: DNS_GOLDEN },
    { kind: 'target', name: 'CT', tables: ['raw'], when: DNS, why: 'CT --zone 1/2', source: DNS_GOLDEN },
  ],
  node: [],
  kconfig: [
    { symbol: 'CONFIG_NF_CONNTRACK_ZONES', when: DNS, why: 'CT --zone needs conntrack zone support', source: DNS_GOLDEN },
  ],
  ruleset: { source: `${DEFAULT_GOLDEN}; ${DNS_GOLDEN}`, tableHeader: (table) => `*${table}`, lines },
} satisfies MeshProfile;
