/**
 * Istio sidecar interception (istio-init / istio-cni), as data.
 *
 * The rule set mirrors what tools/istio-iptables/pkg/capture/run.go builds with the sidecar injector's
 * defaults (`-p 15001 -z 15006 -u 1337 -g 1337 -m REDIRECT -i '*' -b '*' -d 15090,15021,15020`), in
 * the restore format of tools/istio-iptables/pkg/builder/iptables_builder_impl.go (BuildV4Restore):
 * `-N` lines first, then rules, tables sorted, `* <table>` headers. DNS capture is rendered in the
 * capture-all form (no per-server `-d`), as istio-cni applies it.
 */
import type { MeshProfile, RuleLine } from './types.ts';
import { istioAmbientIptables } from './istio-ambient.ts';
import { istioNftables } from './istio-nftables.ts';

const RUN_GO = 'istio/istio tools/istio-iptables/pkg/capture/run.go';
const BUILDER = 'istio/istio tools/istio-iptables/pkg/builder/iptables_builder_impl.go';
const GOLDEN_DNS = 'istio/istio tools/istio-iptables/pkg/capture/testdata/dns-uid-gid.golden';
const GOLDEN_TPROXY = 'istio/istio tools/istio-iptables/pkg/capture/testdata/tproxy.golden';
const GOLDEN_WILDCARD = 'istio/istio tools/istio-iptables/pkg/capture/testdata/inbound-ports-wildcard.golden';
const PLATFORM_DOC = 'https://istio.io/latest/docs/ops/deployment/platform-requirements/';

const DNS = { dnsCapture: true } as const;
const NO_DNS = { dnsCapture: false } as const;
const REDIRECT = { interception: 'redirect' } as const;
const TPROXY = { interception: 'tproxy' } as const;

/** Ports the injector excludes from inbound capture (`-d 15090,15021,15020`). */
const EXCLUDED_INBOUND = ['15090', '15021', '15020'];

const nat = (rule: RuleLine['rule'], when?: RuleLine['when']): RuleLine => ({ table: 'nat', rule, when });
const mangle = (rule: RuleLine['rule']): RuleLine => ({ table: 'mangle', rule, when: TPROXY });
const raw = (rule: RuleLine['rule']): RuleLine => ({ table: 'raw', rule, when: DNS });
const v = (ipv4: string, ipv6: string) => ({ ipv4, ipv6 });

const lines: RuleLine[] = [
  // mangle: TPROXY inbound capture (run.go handleInboundPortsInclude + the TPROXY block at the end of Run).
  mangle('-N ISTIO_DIVERT'),
  mangle('-N ISTIO_TPROXY'),
  mangle('-N ISTIO_INBOUND'),
  mangle('-A ISTIO_DIVERT -j MARK --set-mark 1337'),
  mangle('-A ISTIO_DIVERT -j ACCEPT'),
  mangle(v(
    '-A ISTIO_TPROXY ! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006',
    '-A ISTIO_TPROXY ! -d ::1/128 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006',
  )),
  mangle('-A PREROUTING -p tcp -j ISTIO_INBOUND'),
  ...EXCLUDED_INBOUND.map((port) => mangle(`-A ISTIO_INBOUND -p tcp --dport ${port} -j RETURN`)),
  mangle('-A ISTIO_INBOUND -p tcp -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT'),
  mangle('-A ISTIO_INBOUND -p tcp -j ISTIO_TPROXY'),
  mangle('-A PREROUTING -p tcp -m mark --mark 1337 -j CONNMARK --save-mark'),
  mangle('-A OUTPUT -p tcp -o lo -m mark --mark 1337 -j RETURN'),
  mangle(v(
    '-A OUTPUT ! -d 127.0.0.1/32 -p tcp -o lo -m owner --uid-owner 1337 -j MARK --set-mark 1338',
    '-A OUTPUT ! -d ::1/128 -p tcp -o lo -m owner --uid-owner 1337 -j MARK --set-mark 1338',
  )),
  mangle(v(
    '-A OUTPUT ! -d 127.0.0.1/32 -p tcp -o lo -m owner --gid-owner 1337 -j MARK --set-mark 1338',
    '-A OUTPUT ! -d ::1/128 -p tcp -o lo -m owner --gid-owner 1337 -j MARK --set-mark 1338',
  )),
  mangle('-A OUTPUT -p tcp -m connmark --mark 1337 -j CONNMARK --restore-mark'),
  mangle('-I ISTIO_INBOUND 1 -p tcp -m mark --mark 1337 -j RETURN'),
  mangle(v(
    '-I ISTIO_INBOUND 2 -p tcp -s 127.0.0.6/32 -i lo -j RETURN',
    '-I ISTIO_INBOUND 2 -p tcp -s ::6/128 -i lo -j RETURN',
  )),
  mangle('-I ISTIO_INBOUND 3 -p tcp -i lo -m mark ! --mark 1338 -j RETURN'),

  // nat: chains, inbound REDIRECT, outbound capture with owner exemptions.
  nat('-N ISTIO_INBOUND'),
  nat('-N ISTIO_REDIRECT'),
  nat('-N ISTIO_IN_REDIRECT'),
  nat('-N ISTIO_OUTPUT'),
  nat('-N ISTIO_OUTPUT_DNS', DNS),
  nat('-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN'),
  nat('-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001'),
  nat('-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006'),
  nat('-A PREROUTING -p tcp -j ISTIO_INBOUND', REDIRECT),
  ...EXCLUDED_INBOUND.map((port) => nat(`-A ISTIO_INBOUND -p tcp --dport ${port} -j RETURN`, REDIRECT)),
  nat('-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT', REDIRECT),
  nat('-A OUTPUT -j ISTIO_OUTPUT'),
  nat(v('-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN', '-A ISTIO_OUTPUT -o lo -s ::6/128 -j RETURN')),
  nat(v(
    '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
    '-A ISTIO_OUTPUT -o lo ! -d ::1/128 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
  ), NO_DNS),
  nat(v(
    '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
    '-A ISTIO_OUTPUT -o lo ! -d ::1/128 -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
  ), DNS),
  nat('-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN', NO_DNS),
  nat('-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner 1337 -j RETURN', DNS),
  nat('-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN'),
  nat(v(
    '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT',
    '-A ISTIO_OUTPUT -o lo ! -d ::1/128 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT',
  )),
  nat('-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN', NO_DNS),
  nat('-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner 1337 -j RETURN', DNS),
  nat('-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN'),
  nat('-A ISTIO_OUTPUT -j ISTIO_OUTPUT_DNS', DNS),
  nat('-A ISTIO_OUTPUT_DNS -p tcp --dport 53 -j REDIRECT --to-ports 15053', DNS),
  nat('-A ISTIO_OUTPUT_DNS -p udp --dport 53 -m owner --uid-owner 1337 -j RETURN', DNS),
  nat('-A ISTIO_OUTPUT_DNS -p udp --dport 53 -m owner --gid-owner 1337 -j RETURN', DNS),
  nat('-A ISTIO_OUTPUT_DNS -p udp --dport 53 -j REDIRECT --to-port 15053', DNS),
  nat(v('-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN', '-A ISTIO_OUTPUT -d ::1/128 -j RETURN')),
  nat('-A ISTIO_OUTPUT -j ISTIO_REDIRECT'),

  // raw: DNS conntrack zones (run.go addDNSConntrackZones, capture-all branch).
  raw('-N ISTIO_OUTPUT_DNS'),
  raw('-N ISTIO_INBOUND'),
  raw('-A OUTPUT -j ISTIO_OUTPUT_DNS'),
  raw('-A ISTIO_OUTPUT_DNS -p udp --dport 53 -m owner --uid-owner 1337 -j CT --zone 1'),
  raw('-A ISTIO_OUTPUT_DNS -p udp --sport 15053 -m owner --uid-owner 1337 -j CT --zone 2'),
  raw('-A ISTIO_OUTPUT_DNS -p udp --dport 53 -m owner --gid-owner 1337 -j CT --zone 1'),
  raw('-A ISTIO_OUTPUT_DNS -p udp --sport 15053 -m owner --gid-owner 1337 -j CT --zone 2'),
  raw('-A PREROUTING -j ISTIO_INBOUND'),
  raw('-A ISTIO_OUTPUT_DNS -p udp --dport 53 -j CT --zone 2'),
  raw('-A ISTIO_INBOUND -p udp --sport 53 -j CT --zone 1'),
];

/** The Istio profile. */
export const istioProfile = {
  mesh: 'istio',
  proxyUid: 1337,
  proxyUidSource: `${RUN_GO} (ProxyUID, default 1337: 'PROXY_UID=1337' in istio-init logs, istio/istio#23009)`,
  initContainers: ['istio-init', 'istio-validation'],
  initContainersSource:
    'istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (istio-init; istio-validation when istio-cni is used)',
  cniValidation: {
    container: 'istio-validation',
    exitCode: 126,
    source: 'istio/istio tools/istio-iptables/pkg/constants/constants.go @ 1.28.0 (ValidationErrorCode = 126); cni/pkg/cmd/root.go (repair: RepairInitExitCode defaults to it)',
  },
  supports: { dnsCapture: true, tproxy: true, ipv6: true },
  dataplanes: ['sidecar', 'ambient'],
  versions: {
    known: ['1.22', '1.23', '1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30'],
    source: 'istio/istio tags 1.22.0 … 1.30.0 (the goldens cited in istio-ambient.ts and istio-nftables.ts were read at these tags)',
  },
  backendPolicy: {
    sidecar: 'node',
    cni: 'node',
    source:
      'istio/istio tools/istio-iptables/pkg/dependencies/implementation.go (DetectIptablesVersion: legacy when it holds rules, else nft, else plain iptables); istio-cni runs the same detection on the host (cni/pkg/iptables/iptables.go NewIptablesConfigurator, util.RunAsHost)',
  },
  ambient: istioAmbientIptables,
  nftables: istioNftables,
  minKernel: {
    legacy: {
      release: '4.18',
      source:
        `Istio publishes no numeric minimum for iptables interception (${PLATFORM_DOC}: "the majority of Linux kernels released in the past decade"); ` +
        'CentOS 7 (3.10) was closed as won\'t-fix in istio/istio#51030; 4.18 (RHEL 8) is the oldest kernel family with istio-init reports that work (istio/istio#28897, 4.18.0-240.el8)',
    },
    nft: {
      release: '4.18',
      source:
        `Same floor as legacy: iptables-nft needs nf_tables + nft_compat (Linux 3.13) which every kernel ≥ 4.18 has; ${PLATFORM_DOC} asks ≥ 5.13 only for Istio's native nftables backend (nft CLI), which mesh-preflight does not model`,
    },
  },
  tables: [
    { table: 'nat', why: 'REDIRECT capture of inbound and outbound TCP', source: GOLDEN_WILDCARD },
    {
      table: 'mangle',
      why: 'listed unconditionally by Istio (TPROXY inbound capture and the INVALID_DROP rule live in mangle)',
      source: `${PLATFORM_DOC} (iptable_mangle, no remark); ${RUN_GO} (DropInvalid: -A PREROUTING -t mangle -m conntrack --ctstate INVALID)`,
    },
    {
      table: 'filter',
      why: 'reconcile guardrails: istio-iptables inserts DROP rules in filter INPUT/FORWARD/OUTPUT while it replaces stale rules',
      source: `${BUILDER} (buildGuardrails); runbook list in istio/istio#23009 and istio/istio#44118`,
    },
    { table: 'raw', when: DNS, why: 'DNS conntrack zones (CT --zone) in raw OUTPUT/PREROUTING', source: GOLDEN_DNS },
  ],
  extensions: [
    { kind: 'target', name: 'REDIRECT', tables: ['nat'], why: 'redirect to Envoy 15001/15006 (and DNS to 15053)', source: GOLDEN_WILDCARD },
    { kind: 'match', name: 'owner', tables: ['nat'], why: '--uid-owner/--gid-owner 1337 exempts the proxy\'s own traffic', source: GOLDEN_WILDCARD },
    { kind: 'match', name: 'tcp', tables: ['nat'], why: '-p tcp --dport 15008/15090/15021/15020', source: GOLDEN_WILDCARD },
    { kind: 'match', name: 'tcp', tables: ['mangle'], when: TPROXY, why: '-p tcp --dport in mangle ISTIO_INBOUND', source: GOLDEN_TPROXY },
    { kind: 'match', name: 'udp', tables: ['nat', 'raw'], when: DNS, why: '-p udp --dport 53 / --sport 15053', source: GOLDEN_DNS },
    { kind: 'match', name: 'multiport', tables: ['nat'], when: DNS, why: '! --dports 53,15008 on the loopback rule', source: GOLDEN_DNS },
    { kind: 'match', name: 'owner', tables: ['raw'], when: DNS, why: 'proxy DNS traffic to its own conntrack zone', source: GOLDEN_DNS },
    { kind: 'target', name: 'CT', tables: ['raw'], when: DNS, why: 'CT --zone 1/2 splits DNS conntrack', source: GOLDEN_DNS },
    { kind: 'target', name: 'TPROXY', tables: ['mangle'], when: TPROXY, why: 'TPROXY --on-port 15006 inbound', source: GOLDEN_TPROXY },
    { kind: 'target', name: 'MARK', tables: ['mangle'], when: TPROXY, why: 'MARK --set-mark 1337/1338', source: GOLDEN_TPROXY },
    { kind: 'match', name: 'mark', tables: ['mangle'], when: TPROXY, why: '-m mark --mark 1337 / ! --mark 1338', source: GOLDEN_TPROXY },
    { kind: 'target', name: 'CONNMARK', tables: ['mangle'], when: TPROXY, why: 'CONNMARK --save-mark/--restore-mark', source: GOLDEN_TPROXY },
    { kind: 'match', name: 'connmark', tables: ['mangle'], when: TPROXY, why: '-m connmark --mark 1337', source: GOLDEN_TPROXY },
    { kind: 'match', name: 'conntrack', tables: ['mangle'], when: TPROXY, why: '--ctstate RELATED,ESTABLISHED → ISTIO_DIVERT', source: GOLDEN_TPROXY },
    { kind: 'match', name: 'owner', tables: ['mangle'], when: TPROXY, why: 'mark proxy→app loopback traffic 1338', source: GOLDEN_TPROXY },
  ],
  node: [
    {
      module: 'br_netfilter',
      why: 'bridge netfilter (net.bridge.bridge-nf-call-iptables) so bridged pod traffic traverses iptables',
      source: `${PLATFORM_DOC} (br_netfilter, no remark)`,
    },
  ],
  kconfig: [
    {
      symbol: 'CONFIG_NF_CONNTRACK_ZONES',
      when: DNS,
      why: 'CT --zone needs conntrack zone support (not a module: a bool inside nf_conntrack)',
      source: `${GOLDEN_DNS}; docker/for-mac#7148 (Docker Desktop 4.27 dropped CONFIG_NF_CONNTRACK_ZONES and broke Istio)`,
    },
  ],
  ruleset: {
    source: `${RUN_GO}; ${BUILDER} (buildRestore); ${GOLDEN_DNS}; ${GOLDEN_TPROXY}`,
    tableHeader: (table) => `* ${table}`,
    lines,
  },
} satisfies MeshProfile;
