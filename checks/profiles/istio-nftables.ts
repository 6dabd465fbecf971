/**
 * Istio native nftables (`values.global.nativeNftables=true`), as data: the `nft -f` scripts
 * istio-iptables' nftables twin (tools/istio-nftables, sidecar, from 1.27) and the istio-cni node agent
 * (cni/pkg/nftables, ambient, from 1.28) apply through knftables, taken from their golden files at 1.28.0.
 *
 * Sidecar: tools/istio-nftables/pkg/capture/testdata/inbound-ports-wildcard.golden (REDIRECT inbound),
 * tproxy.golden (mangle TPROXY), dns-uid-gid.golden (raw CT zones); rendered for the injector's defaults
 * (uid/gid 1337, DNS capture-all as istio-cni applies it, no test-specific interfaces or CIDRs).
 * Ambient: cni/pkg/nftables/testdata/default.golden (pod netns) and hostprobe.golden (host netns; the
 * sets come from cni/pkg/nftables/host_sets.go, `ipv4_addr`/`ipv6_addr` with a comment). The kubelet uid
 * in the host rule is the test's 1000 in the golden; here 0 (kubelet runs as root).
 */
import type { NftDataplane, NftLine } from './types.ts';

const PLATFORM_DOC = 'https://istio.io/latest/docs/ops/deployment/platform-requirements/';
const SIDECAR_GOLDEN = (name: string) => `istio/istio tools/istio-nftables/pkg/capture/testdata/${name}.golden @ 1.28.0`;
const AMBIENT_GOLDEN = (name: string) => `istio/istio cni/pkg/nftables/testdata/${name}.golden @ 1.28.0`;
const HOST_SETS = 'istio/istio cni/pkg/nftables/host_sets.go @ 1.28.0 (initializeSets: ipv4_addr/ipv6_addr sets with a comment)';
const README = 'istio/istio tools/istio-nftables/pkg/README.md @ 1.28.0 ("Requires nft binary version 1.0.1 or later")';
const IPTABLES_LINUX_GO = 'istio/istio cni/pkg/iptables/iptables_linux.go @ 1.28.0 (used by cni/pkg/nftables/nftables.go addInpodMarkIPRule)';

const DNS = { dnsCapture: true } as const;
const REDIRECT = { interception: 'redirect' } as const;
const TPROXY = { interception: 'tproxy' } as const;
const l = (line: NftLine['line'], when?: NftLine['when']): NftLine => ({ line, ...(when ? { when } : {}) });
const v = (ipv4: string, ipv6: string) => ({ ipv4, ipv6 });

const NAT = 'inet istio-proxy-nat';
const MANGLE = 'inet istio-proxy-mangle';
const RAW = 'inet istio-proxy-raw';

const sidecarLines: NftLine[] = [
  l(`add table ${NAT}`),
  l(`flush table ${NAT}`),
  l(`add chain ${NAT} prerouting { type nat hook prerouting priority -100 ; }`),
  l(`add chain ${NAT} output { type nat hook output priority -100 ; }`),
  l(`add chain ${NAT} istio-inbound`),
  l(`add chain ${NAT} istio-redirect`),
  l(`add chain ${NAT} istio-in-redirect`),
  l(`add chain ${NAT} istio-output`),
  l(`add chain ${NAT} istio-output-dns`, DNS),
  l(`add rule ${NAT} istio-inbound meta l4proto tcp tcp dport 15008 counter return`),
  l(`add rule ${NAT} istio-redirect meta l4proto tcp counter redirect to :15001`),
  l(`add rule ${NAT} istio-in-redirect meta l4proto tcp counter redirect to :15006`),
  l(`add rule ${NAT} prerouting meta l4proto tcp counter jump istio-inbound`, REDIRECT),
  l(`add rule ${NAT} istio-inbound meta l4proto tcp counter jump istio-in-redirect`, REDIRECT),
  l(`add rule ${NAT} output counter jump istio-output`),
  l(v(`add rule ${NAT} istio-output oifname lo ip saddr 127.0.0.6/32 counter return`, `add rule ${NAT} istio-output oifname lo ip6 saddr ::6/128 counter return`)),
  l(v(
    `add rule ${NAT} istio-output oifname lo meta l4proto tcp ip daddr != 127.0.0.1/32 tcp dport != 15008 skuid 1337 counter jump istio-in-redirect`,
    `add rule ${NAT} istio-output oifname lo meta l4proto tcp ip6 daddr != ::1/128 tcp dport != 15008 skuid 1337 counter jump istio-in-redirect`,
  ), { dnsCapture: false }),
  l(v(
    `add rule ${NAT} istio-output oifname lo meta l4proto tcp ip daddr != 127.0.0.1/32 tcp dport != { 53, 15008 } skuid 1337 counter jump istio-in-redirect`,
    `add rule ${NAT} istio-output oifname lo meta l4proto tcp ip6 daddr != ::1/128 tcp dport != { 53, 15008 } skuid 1337 counter jump istio-in-redirect`,
  ), DNS),
  l(`add rule ${NAT} istio-output oifname lo skuid != 1337 counter return`, { dnsCapture: false }),
  l(`add rule ${NAT} istio-output oifname lo meta l4proto tcp tcp dport != 53 skuid != 1337 counter return`, DNS),
  l(`add rule ${NAT} istio-output skuid 1337 counter return`),
  l(v(
    `add rule ${NAT} istio-output oifname lo meta l4proto tcp ip daddr != 127.0.0.1/32 tcp dport != 15008 skgid 1337 counter jump istio-in-redirect`,
    `add rule ${NAT} istio-output oifname lo meta l4proto tcp ip6 daddr != ::1/128 tcp dport != 15008 skgid 1337 counter jump istio-in-redirect`,
  )),
  l(`add rule ${NAT} istio-output oifname lo skgid != 1337 counter return`, { dnsCapture: false }),
  l(`add rule ${NAT} istio-output oifname lo meta l4proto tcp tcp dport != 53 skgid != 1337 counter return`, DNS),
  l(`add rule ${NAT} istio-output skgid 1337 counter return`),
  l(`add rule ${NAT} istio-output counter jump istio-output-dns`, DNS),
  l(`add rule ${NAT} istio-output-dns meta l4proto tcp tcp dport 53 counter redirect to :15053`, DNS),
  l(`add rule ${NAT} istio-output-dns meta l4proto udp udp dport 53 counter redirect to :15053`, DNS),
  l(v(`add rule ${NAT} istio-output ip daddr 127.0.0.1/32 counter return`, `add rule ${NAT} istio-output ip6 daddr ::1/128 counter return`)),
  l(`add rule ${NAT} istio-output counter jump istio-redirect`),

  // mangle: TPROXY inbound (tproxy.golden).
  l(`add table ${MANGLE}`, TPROXY),
  l(`flush table ${MANGLE}`, TPROXY),
  l(`add chain ${MANGLE} prerouting { type filter hook prerouting priority -150 ; }`, TPROXY),
  l(`add chain ${MANGLE} output { type route hook output priority -150 ; }`, TPROXY),
  l(`add chain ${MANGLE} istio-divert`, TPROXY),
  l(`add chain ${MANGLE} istio-tproxy`, TPROXY),
  l(`add chain ${MANGLE} istio-inbound`, TPROXY),
  l(`add rule ${MANGLE} istio-divert counter meta mark set 1337`, TPROXY),
  l(`add rule ${MANGLE} istio-divert counter accept`, TPROXY),
  l(v(
    `add rule ${MANGLE} istio-tproxy meta l4proto tcp ip daddr != 127.0.0.1/32 tproxy ip to :15006 meta mark set 1337 counter accept`,
    `add rule ${MANGLE} istio-tproxy meta l4proto tcp ip6 daddr != ::1/128 tproxy ip6 to :15006 meta mark set 1337 counter accept`,
  ), TPROXY),
  l(`add rule ${MANGLE} prerouting meta l4proto tcp counter jump istio-inbound`, TPROXY),
  l(`add rule ${MANGLE} istio-inbound meta l4proto tcp ct state related,established counter jump istio-divert`, TPROXY),
  l(`add rule ${MANGLE} istio-inbound meta l4proto tcp counter jump istio-tproxy`, TPROXY),
  l(`add rule ${MANGLE} prerouting meta l4proto tcp mark 1337 counter ct mark set mark`, TPROXY),
  l(`add rule ${MANGLE} output oifname lo meta l4proto tcp mark 1337 counter return`, TPROXY),
  l(v(
    `add rule ${MANGLE} output oifname lo meta l4proto tcp ip daddr != 127.0.0.1/32 skuid 1337 counter meta mark set 1338`,
    `add rule ${MANGLE} output oifname lo meta l4proto tcp ip6 daddr != ::1/128 skuid 1337 counter meta mark set 1338`,
  ), TPROXY),
  l(`add rule ${MANGLE} output meta l4proto tcp ct mark 1337 counter meta mark set ct mark`, TPROXY),
  l(`insert rule ${MANGLE} istio-inbound index 0 meta l4proto tcp mark 1337 counter return`, TPROXY),

  // raw: DNS conntrack zones (dns-uid-gid.golden, capture-all).
  l(`add table ${RAW}`, DNS),
  l(`flush table ${RAW}`, DNS),
  l(`add chain ${RAW} prerouting { type filter hook prerouting priority -300 ; }`, DNS),
  l(`add chain ${RAW} output { type filter hook output priority -300 ; }`, DNS),
  l(`add chain ${RAW} istio-inbound`, DNS),
  l(`add chain ${RAW} istio-output-dns`, DNS),
  l(`add rule ${RAW} output counter jump istio-output-dns`, DNS),
  l(`add rule ${RAW} istio-output-dns udp dport 53 meta skuid 1337 counter ct zone set 1`, DNS),
  l(`add rule ${RAW} istio-output-dns udp sport 15053 meta skuid 1337 counter ct zone set 2`, DNS),
  l(`add rule ${RAW} prerouting counter jump istio-inbound`, DNS),
  l(`add rule ${RAW} istio-output-dns udp dport 53 counter ct zone set 2`, DNS),
  l(`add rule ${RAW} istio-inbound udp sport 53 counter ct zone set 1`, DNS),
];

const ANAT = 'inet istio-ambient-nat';
const AMANGLE = 'inet istio-ambient-mangle';
const ARAW = 'inet istio-ambient-raw';
const SNAT = v('169.254.7.127', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff');

const ambientLines: NftLine[] = [
  l(`add table ${ANAT}`),
  l(`flush table ${ANAT}`),
  l(`add chain ${ANAT} prerouting { type nat hook prerouting priority -100 ; }`),
  l(`add chain ${ANAT} output { type nat hook output priority -100 ; }`),
  l(`add chain ${ANAT} istio-prerouting`),
  l(`add chain ${ANAT} istio-output`),
  l(`add rule ${ANAT} output jump istio-output`),
  l(`add rule ${ANAT} prerouting jump istio-prerouting`),
  l(v(`add rule ${ANAT} istio-prerouting meta l4proto tcp ip saddr ${SNAT.ipv4} counter accept`, `add rule ${ANAT} istio-prerouting meta l4proto tcp ip6 saddr ${SNAT.ipv6} counter accept`)),
  l(v(`add rule ${ANAT} istio-output meta l4proto tcp ip daddr ${SNAT.ipv4} counter accept`, `add rule ${ANAT} istio-output meta l4proto tcp ip6 daddr ${SNAT.ipv6} counter accept`)),
  l(v(
    `add rule ${ANAT} istio-prerouting ip daddr != 127.0.0.1/32 tcp dport != 15008 mark and 0xfff != 0x539 counter redirect to :15006`,
    `add rule ${ANAT} istio-prerouting ip6 daddr != ::1/128 tcp dport != 15008 mark and 0xfff != 0x539 counter redirect to :15006`,
  )),
  l(`add rule ${ANAT} istio-output oifname != lo mark and 0xfff != 0x539 udp dport 53 counter redirect to :15053`, DNS),
  l(v(
    `add rule ${ANAT} istio-output ip daddr != 127.0.0.1/32 tcp dport 53 mark and 0xfff != 0x539 counter redirect to :15053`,
    `add rule ${ANAT} istio-output ip6 daddr != ::1/128 tcp dport 53 mark and 0xfff != 0x539 counter redirect to :15053`,
  ), DNS),
  l(`add rule ${ANAT} istio-output meta l4proto tcp mark and 0xfff == 0x111 counter accept`),
  l(v(`add rule ${ANAT} istio-output oifname lo ip daddr != 127.0.0.1/32 counter accept`, `add rule ${ANAT} istio-output oifname lo ip6 daddr != ::1/128 counter accept`)),
  l(v(
    `add rule ${ANAT} istio-output meta l4proto tcp ip daddr != 127.0.0.1/32 mark and 0xfff != 0x539 counter redirect to :15001`,
    `add rule ${ANAT} istio-output meta l4proto tcp ip6 daddr != ::1/128 mark and 0xfff != 0x539 counter redirect to :15001`,
  )),
  l(`add table ${AMANGLE}`),
  l(`flush table ${AMANGLE}`),
  l(`add chain ${AMANGLE} prerouting { type filter hook prerouting priority -150 ; }`),
  l(`add chain ${AMANGLE} output { type route hook output priority -150 ; }`),
  l(`add chain ${AMANGLE} istio-prerouting`),
  l(`add chain ${AMANGLE} istio-output`),
  l(`add rule ${AMANGLE} prerouting jump istio-prerouting`),
  l(`add rule ${AMANGLE} output jump istio-output`),
  l(`add rule ${AMANGLE} istio-prerouting meta mark & 0xfff == 0x539 counter ct mark set ct mark & 0xfffff000 | 0x111`),
  l(`add rule ${AMANGLE} istio-output ct mark and 0xfff == 0x111 counter meta mark set ct mark`),
  l(`add table ${ARAW}`, DNS),
  l(`flush table ${ARAW}`, DNS),
  l(`add chain ${ARAW} prerouting { type filter hook prerouting priority -300 ; }`, DNS),
  l(`add chain ${ARAW} output { type filter hook output priority -300 ; }`, DNS),
  l(`add chain ${ARAW} istio-prerouting`, DNS),
  l(`add chain ${ARAW} istio-output`, DNS),
  l(`add rule ${ARAW} prerouting jump istio-prerouting`, DNS),
  l(`add rule ${ARAW} output jump istio-output`, DNS),
  l(`add rule ${ARAW} istio-output udp dport 53 meta mark and 0xfff == 0x539 counter ct zone set 1`, DNS),
  l(`add rule ${ARAW} istio-prerouting udp sport 53 meta mark and 0xfff != 0x539 counter ct zone set 1`, DNS),
];

const ambientHostLines: NftLine[] = [
  l(`add table ${ANAT}`),
  l(v(
    `add set ${ANAT} istio-inpod-probes-v4 { type ipv4_addr ; comment "UUID of the pods that are part of ambient mesh" ; }`,
    `add set ${ANAT} istio-inpod-probes-v6 { type ipv6_addr ; comment "UUID of the pods that are part of ambient mesh" ; }`,
  )),
  l(`add chain ${ANAT} postrouting { type nat hook postrouting priority 100 ; }`),
  l(v(
    `add rule ${ANAT} postrouting meta l4proto tcp skuid 0 ip daddr @istio-inpod-probes-v4 counter snat to ${SNAT.ipv4}`,
    `add rule ${ANAT} postrouting meta l4proto tcp skuid 0 ip6 daddr @istio-inpod-probes-v6 counter snat to ${SNAT.ipv6}`,
  )),
];

const MIN_KERNEL = { release: '5.13', source: `${PLATFORM_DOC} (nftables backend: "requires Linux kernel version 5.13 or later")` };
const MIN_NFT = { version: '1.0.1', source: `${PLATFORM_DOC} ("The nft binary must be version 1.0.1 or later"); ${README}` };

/** Modules Istio lists for nftables that its default rules do not show, and its explicit defrag entries. */
const STATED = (extra: string) => [
  { module: 'nft_socket', why: 'listed by Istio for the nftables backend (no default rule uses a socket expression)', source: `${PLATFORM_DOC} (nftables table: nft_socket)${extra}` },
  { module: 'nf_defrag_ipv4', why: 'listed by Istio for the nftables backend (conntrack defragments before tracking)', source: `${PLATFORM_DOC} (nftables table: nf_defrag_ipv4)` },
  { module: 'nf_defrag_ipv6', families: ['ipv6' as const], why: 'listed by Istio for IPv6/dual-stack clusters', source: `${PLATFORM_DOC} (nftables table: nf_defrag_ipv6, "Only needed for IPv6/dual-stack clusters")` },
];

export const istioNftables: { sidecar: NftDataplane; ambient: NftDataplane } = {
  sidecar: {
    since: '1.27',
    sinceSource: 'istio/istio releasenotes (1.27: native nftables for sidecars, istio/istio#56487); tools/istio-nftables first appears at tag 1.27.0',
    minKernel: MIN_KERNEL,
    minNft: MIN_NFT,
    ruleset: {
      source: `${SIDECAR_GOLDEN('inbound-ports-wildcard')}; ${SIDECAR_GOLDEN('tproxy')}; ${SIDECAR_GOLDEN('dns-uid-gid')}`,
      lines: sidecarLines,
    },
    node: [...STATED(''), { module: 'nft_tproxy', why: 'listed by Istio for the nftables backend (used by TPROXY interception)', source: `${PLATFORM_DOC} (nftables table: nft_tproxy)` }],
    kconfig: [],
  },
  ambient: {
    since: '1.28',
    sinceSource: 'istio/istio releasenotes (1.28: native nftables for ambient, istio/istio#57324); cni/pkg/nftables first appears at tag 1.28.0',
    minKernel: MIN_KERNEL,
    minNft: MIN_NFT,
    ruleset: { source: AMBIENT_GOLDEN('default'), lines: ambientLines },
    hostRuleset: { source: `${AMBIENT_GOLDEN('hostprobe')}; ${HOST_SETS}`, lines: ambientHostLines },
    node: [...STATED(''), { module: 'nft_tproxy', why: 'listed by Istio for the nftables backend (no ambient rule uses tproxy since 1.24)', source: `${PLATFORM_DOC} (nftables table: nft_tproxy)` }],
    kconfig: [],
    policyRoutes: [
      { fwmark: '0x111/0xfff', table: 100, priority: 32764, why: 'packets marked for ztunnel are routed by table 100 in the pod netns', source: IPTABLES_LINUX_GO },
    ],
  },
};
