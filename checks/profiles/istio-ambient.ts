/**
 * Istio ambient, iptables backend, as data: what the istio-cni node agent writes into each ambient pod's
 * network namespace (for ztunnel) and into the node's own, at each release.
 *
 * Sources, per tag (`git show <tag>:<path>` of istio/istio):
 * - cni/pkg/iptables/testdata/default.golden (+ _ipv6): the pod netns rules. 1.22–1.23: mangle TPROXY to
 *   15008/15006; from 1.24 nat REDIRECT to 15006 and, with DNS capture, a raw table with CT zones.
 * - cni/pkg/iptables/testdata/hostprobe.golden (+ _ipv6): the host netns SNAT of kubelet probes. The set
 *   is `istio-inpod-probes` in 1.22, `istio-inpod-probes-v4`/`-v6` from 1.23; the jump is
 *   `-A POSTROUTING` until 1.26 and `-I POSTROUTING 1` from 1.27.
 * - cni/pkg/ipset/nldeps_linux.go: the set is created over netlink, `hash:ip` with comments.
 * - cni/pkg/iptables/iptables_linux.go (1.28.0): `ip rule add fwmark 0x111/0xfff pref 32764 lookup 100`
 *   and `ip route add local 0.0.0.0/0 dev lo table 100` in the pod netns.
 * The rule text below is the 1.24+ golden as written for the restore input (the builder's `* table`,
 * `-N`, then rules); the 1.22–1.23 rules are the older golden's commands in the same form.
 */
import type { IptablesDataplane, RuleLine } from './types.ts';

const GOLDEN = (tag: string, file = 'default') => `istio/istio cni/pkg/iptables/testdata/${file}.golden @ ${tag}`;
const PLATFORM_DOC = 'https://istio.io/latest/docs/ops/deployment/platform-requirements/';
const IPTABLES_GO = 'istio/istio cni/pkg/iptables/iptables.go @ 1.28.0 (AppendInpodRules, AppendHostRules)';
const IPTABLES_LINUX_GO = 'istio/istio cni/pkg/iptables/iptables_linux.go @ 1.28.0 (forEachInpodMarkIPRule: "ip rule add fwmark 0x111/0xfff pref 32764 lookup 100")';
const NLDEPS = 'istio/istio cni/pkg/ipset/nldeps_linux.go @ 1.28.0 (netlink.IpsetCreate(name, "hash:ip", {Comments: true}))';

const TPROXY_ERA = { until: '1.23' } as const;
const REDIRECT_ERA = { from: '1.24' } as const;
const DNS = { dnsCapture: true } as const;
const v = (ipv4: string, ipv6: string) => ({ ipv4, ipv6 });
const line = (table: RuleLine['table'], rule: RuleLine['rule'], when?: RuleLine['when']): RuleLine => ({ table, rule, ...(when ? { when } : {}) });

/** The host-side SNAT address for kubelet probes (istio-cni HOST_PROBE_SNAT_ADDRESS, HOST_PROBE_V6_SNAT_ADDRESS). */
const SNAT = v('169.254.7.127', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff');
const LOOPBACK = v('127.0.0.1/32', '::1/128');

const podLines: RuleLine[] = [
  // mangle: both eras mark ztunnel's connections (0x539 = 1337) and restore the mark on output.
  line('mangle', '-N ISTIO_PRERT'),
  line('mangle', '-N ISTIO_OUTPUT'),
  line('mangle', '-A PREROUTING -j ISTIO_PRERT'),
  line('mangle', '-A OUTPUT -j ISTIO_OUTPUT'),
  line('mangle', '-A ISTIO_PRERT -m mark --mark 0x539/0xfff -j CONNMARK --set-xmark 0x111/0xfff'),
  // 1.22–1.23: inbound via TPROXY in mangle.
  line('mangle', v('-A ISTIO_PRERT -s 169.254.7.127 -p tcp -m tcp -j ACCEPT', '-A ISTIO_PRERT -s fd16:9254:7127:1337:ffff:ffff:ffff:ffff -p tcp -m tcp -j ACCEPT'), { versions: TPROXY_ERA }),
  line('mangle', v('-A ISTIO_PRERT ! -d 127.0.0.1/32 -p tcp -i lo -j ACCEPT', '-A ISTIO_PRERT ! -d ::1/128 -p tcp -i lo -j ACCEPT'), { versions: TPROXY_ERA }),
  line('mangle', '-A ISTIO_PRERT -p tcp -m tcp --dport 15008 -m mark ! --mark 0x539/0xfff -j TPROXY --on-port 15008 --tproxy-mark 0x111/0xfff', { versions: TPROXY_ERA }),
  line('mangle', '-A ISTIO_PRERT -p tcp -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', { versions: TPROXY_ERA }),
  line('mangle', v(
    '-A ISTIO_PRERT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j TPROXY --on-port 15006 --tproxy-mark 0x111/0xfff',
    '-A ISTIO_PRERT ! -d ::1/128 -p tcp -m mark ! --mark 0x539/0xfff -j TPROXY --on-port 15006 --tproxy-mark 0x111/0xfff',
  ), { versions: TPROXY_ERA }),
  line('mangle', '-A ISTIO_OUTPUT -m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff'),

  // nat
  line('nat', '-N ISTIO_PRERT', { versions: REDIRECT_ERA }),
  line('nat', '-N ISTIO_OUTPUT'),
  line('nat', '-A OUTPUT -j ISTIO_OUTPUT'),
  line('nat', '-A PREROUTING -j ISTIO_PRERT', { versions: REDIRECT_ERA }),
  line('nat', v(`-A ISTIO_PRERT -s ${SNAT.ipv4} -p tcp -m tcp -j ACCEPT`, `-A ISTIO_PRERT -s ${SNAT.ipv6} -p tcp -m tcp -j ACCEPT`), { versions: REDIRECT_ERA }),
  line('nat', v(`-A ISTIO_OUTPUT -d ${SNAT.ipv4} -p tcp -m tcp -j ACCEPT`, `-A ISTIO_OUTPUT -d ${SNAT.ipv6} -p tcp -m tcp -j ACCEPT`)),
  line('nat', v(
    `-A ISTIO_PRERT ! -d ${LOOPBACK.ipv4} -p tcp ! --dport 15008 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15006`,
    `-A ISTIO_PRERT ! -d ${LOOPBACK.ipv6} -p tcp ! --dport 15008 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15006`,
  ), { versions: REDIRECT_ERA }),
  line('nat', '-A ISTIO_OUTPUT ! -o lo -p udp -m udp --dport 53 -j REDIRECT --to-port 15053', { ...DNS, versions: TPROXY_ERA }),
  line('nat', '-A ISTIO_OUTPUT ! -o lo -p udp -m mark ! --mark 0x539/0xfff -m udp --dport 53 -j REDIRECT --to-port 15053', { ...DNS, versions: REDIRECT_ERA }),
  line('nat', v(
    `-A ISTIO_OUTPUT ! -d ${LOOPBACK.ipv4} -p tcp --dport 53 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15053`,
    `-A ISTIO_OUTPUT ! -d ${LOOPBACK.ipv6} -p tcp --dport 53 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15053`,
  ), { ...DNS, versions: REDIRECT_ERA }),
  line('nat', '-A ISTIO_OUTPUT -p tcp -m mark --mark 0x111/0xfff -j ACCEPT'),
  line('nat', v(`-A ISTIO_OUTPUT ! -d ${LOOPBACK.ipv4} -o lo -j ACCEPT`, `-A ISTIO_OUTPUT ! -d ${LOOPBACK.ipv6} -o lo -j ACCEPT`)),
  line('nat', v(
    `-A ISTIO_OUTPUT ! -d ${LOOPBACK.ipv4} -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001`,
    `-A ISTIO_OUTPUT ! -d ${LOOPBACK.ipv6} -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001`,
  )),

  // raw: DNS conntrack zones (1.24+ with DNS capture).
  line('raw', '-N ISTIO_OUTPUT', { ...DNS, versions: REDIRECT_ERA }),
  line('raw', '-N ISTIO_PRERT', { ...DNS, versions: REDIRECT_ERA }),
  line('raw', '-A PREROUTING -j ISTIO_PRERT', { ...DNS, versions: REDIRECT_ERA }),
  line('raw', '-A OUTPUT -j ISTIO_OUTPUT', { ...DNS, versions: REDIRECT_ERA }),
  line('raw', '-A ISTIO_OUTPUT -p udp -m mark --mark 0x539/0xfff -m udp --dport 53 -j CT --zone 1', { ...DNS, versions: REDIRECT_ERA }),
  line('raw', '-A ISTIO_PRERT -p udp -m mark ! --mark 0x539/0xfff -m udp --sport 53 -j CT --zone 1', { ...DNS, versions: REDIRECT_ERA }),
];

const hostLines: RuleLine[] = [
  line('nat', '-N ISTIO_POSTRT'),
  line('nat', '-A POSTROUTING -j ISTIO_POSTRT', { versions: { until: '1.26' } }),
  line('nat', '-I POSTROUTING 1 -j ISTIO_POSTRT', { versions: { from: '1.27' } }),
  // 1.22 had one IPv4 set; its ip6tables rule matched that same set (hostprobe_ipv6.golden @ 1.22.0), which
  // the kernel refuses ("The protocol family of set istio-inpod-probes is IPv4"), so only IPv4 is modelled.
  { table: 'nat', rule: '-A ISTIO_POSTRT -m owner --socket-exists -p tcp -m set --match-set istio-inpod-probes dst -j SNAT --to-source 169.254.7.127', when: { versions: { until: '1.22' } }, families: ['ipv4'] },
  {
    table: 'nat',
    rule: v(
      `-A ISTIO_POSTRT -m owner --socket-exists -p tcp -m set --match-set istio-inpod-probes-v4 dst -j SNAT --to-source ${SNAT.ipv4}`,
      `-A ISTIO_POSTRT -m owner --socket-exists -p tcp -m set --match-set istio-inpod-probes-v6 dst -j SNAT --to-source ${SNAT.ipv6}`,
    ),
    when: { versions: { from: '1.23' } },
  },
];

const G24 = GOLDEN('1.28.0');
const G22 = GOLDEN('1.23.0');
const HOST = `${GOLDEN('1.28.0', 'hostprobe')}; ${GOLDEN('1.28.0', 'hostprobe_ipv6')}; ${GOLDEN('1.22.0', 'hostprobe')}`;

/** The ambient dataplane (iptables backend). */
export const istioAmbientIptables = {
  agents: ['istio-cni', 'ztunnel'],
  agentsSource: 'istio/istio manifests/charts/istio-cni/templates/daemonset.yaml and manifests/charts/ztunnel/templates/daemonset.yaml @ 1.28.0 (DaemonSets istio-cni-node, ztunnel)',
  minKernel: {
    legacy: {
      release: '4.18',
      source: `${PLATFORM_DOC} states no numeric minimum; CentOS 7 (3.10) is unsupported for ambient (istio/istio#51030, closed won't-fix); 4.18 (RHEL 8) is the oldest family this tool's sidecar profile accepts`,
    },
    nft: {
      release: '4.18',
      source: `${PLATFORM_DOC} states no numeric minimum for the iptables backend; same floor as legacy`,
    },
  },
  tables: [
    { table: 'mangle', why: 'ISTIO_PRERT/ISTIO_OUTPUT: connmark of ztunnel traffic (and TPROXY inbound in 1.22–1.23)', source: `${G24}; ${G22}` },
    { table: 'nat', why: 'REDIRECT to ztunnel 15001/15006 (15053 for DNS) in the pod; SNAT of kubelet probes in the host netns', source: `${G24}; ${HOST}` },
    { table: 'raw', when: { ...DNS, versions: REDIRECT_ERA }, why: 'DNS conntrack zones (CT --zone 1) from 1.24', source: G24 },
  ],
  extensions: [
    { kind: 'target', name: 'CONNMARK', tables: ['mangle'], why: 'CONNMARK --set-xmark 0x111/0xfff, --restore-mark', source: G24 },
    { kind: 'match', name: 'mark', tables: ['mangle', 'nat'], why: '-m mark --mark 0x539/0xfff (ztunnel\'s own packets)', source: G24 },
    { kind: 'match', name: 'connmark', tables: ['mangle'], why: '-m connmark --mark 0x111/0xfff', source: G24 },
    { kind: 'match', name: 'tcp', tables: ['nat'], why: '-p tcp -m tcp / ! --dport 15008 / --dport 53', source: G24 },
    { kind: 'target', name: 'REDIRECT', tables: ['nat'], why: 'REDIRECT to ztunnel 15001 (out), 15006 (in, from 1.24), 15053 (DNS)', source: G24 },
    { kind: 'match', name: 'udp', tables: ['nat'], when: DNS, why: '-p udp -m udp --dport 53', source: G24 },
    { kind: 'match', name: 'udp', tables: ['raw'], when: { ...DNS, versions: REDIRECT_ERA }, why: '-m udp --dport/--sport 53', source: G24 },
    { kind: 'match', name: 'mark', tables: ['raw'], when: { ...DNS, versions: REDIRECT_ERA }, why: '-m mark --mark 0x539/0xfff on DNS', source: G24 },
    { kind: 'target', name: 'CT', tables: ['raw'], when: { ...DNS, versions: REDIRECT_ERA }, why: 'CT --zone 1 for DNS', source: G24 },
    { kind: 'match', name: 'tcp', tables: ['mangle'], when: { versions: TPROXY_ERA }, why: '-p tcp -m tcp --dport 15008', source: G22 },
    { kind: 'match', name: 'conntrack', tables: ['mangle'], when: { versions: TPROXY_ERA }, why: '--ctstate RELATED,ESTABLISHED', source: G22 },
    { kind: 'target', name: 'TPROXY', tables: ['mangle'], when: { versions: TPROXY_ERA }, why: 'TPROXY --on-port 15008/15006 (inbound until 1.23; REDIRECT from 1.24, istio/istio#52260)', source: G22 },
    // Host netns: IPv4 in every release; IPv6 only once the set was split per family (1.23).
    ...(['ipv4', 'ipv6'] as const).flatMap((family) => {
      const scope = { families: [family], ...(family === 'ipv6' ? { when: { versions: { from: '1.23' } } } : {}) };
      return [
        { kind: 'match' as const, name: 'owner', tables: ['nat' as const], ...scope, why: 'host netns: -m owner --socket-exists (a local process, i.e. kubelet, sent it)', source: HOST },
        { kind: 'match' as const, name: 'set', tables: ['nat' as const], ...scope, why: 'host netns: -m set --match-set istio-inpod-probes-v4 dst (xt_set; kernel naming, not named by Istio)', source: HOST },
        { kind: 'target' as const, name: 'SNAT', tables: ['nat' as const], ...scope, why: 'host netns: SNAT --to-source 169.254.7.127 (xt_nat; kernel naming, not named by Istio)', source: HOST },
      ];
    }),
  ],
  node: [
    { module: 'br_netfilter', why: 'bridge netfilter for bridged pod traffic', source: `${PLATFORM_DOC} (br_netfilter, no remark)` },
  ],
  kconfig: [
    {
      symbol: 'CONFIG_NF_CONNTRACK_ZONES',
      when: { ...DNS, versions: REDIRECT_ERA },
      why: 'CT --zone needs conntrack zone support (a bool inside nf_conntrack)',
      source: G24,
    },
  ],
  ruleset: { source: `${G24}; ${G22}; ${IPTABLES_GO}`, tableHeader: (table) => `* ${table}`, lines: podLines },
  hostRuleset: { source: HOST, tableHeader: (table) => `* ${table}`, lines: hostLines },
  ipsets: [
    {
      name: 'istio-inpod-probes',
      type: 'hash:ip',
      comment: true,
      families: ['ipv4'],
      when: { versions: { until: '1.22' } },
      why: 'addresses of ambient pods, matched by the host-netns SNAT rule (one set until 1.22)',
      source: `${NLDEPS}; ${GOLDEN('1.22.0', 'hostprobe')}; ${PLATFORM_DOC} (ip_set, ip_set_hash_ip: "Needed for ambient dataplane mode")`,
    },
    {
      name: v('istio-inpod-probes-v4', 'istio-inpod-probes-v6'),
      type: 'hash:ip',
      comment: true,
      when: { versions: { from: '1.23' } },
      why: 'addresses of ambient pods, matched by the host-netns SNAT rule (split per family from 1.23)',
      source: `${NLDEPS}; ${GOLDEN('1.23.0', 'hostprobe')}; ${PLATFORM_DOC} (ip_set, ip_set_hash_ip: "Needed for ambient dataplane mode")`,
    },
  ],
  policyRoutes: [
    {
      fwmark: '0x111/0xfff',
      table: 100,
      priority: 32764,
      why: 'packets marked for ztunnel are routed by table 100 (local 0.0.0.0/0 dev lo) in the pod netns',
      source: IPTABLES_LINUX_GO,
    },
  ],
} satisfies IptablesDataplane & { agents: string[]; agentsSource: string };
