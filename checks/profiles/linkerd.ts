/**
 * Linkerd proxy-init (linkerd-init), as data.
 *
 * proxy-init issues one `iptables -t nat ...` command per rule (pkg/iptables/iptables.go); the
 * ruleset here is the same rules in iptables-save form, as linkerd-init itself logs them after the
 * run (linkerd/linkerd2#13171 shows `-A PROXY_INIT_REDIRECT -p tcp -m multiport --dports
 * 4190,4191,4567,4568 -m comment --comment "proxy-init/ignore-port-4190,4191,4567,4568" -j RETURN`).
 * Values are the chart defaults: inbound 4143, outbound 4140, uid 2102, inbound ports to ignore
 * 4190 (control), 4191 (admin) + 4567,4568, outbound ports to ignore 4567,4568. Linkerd has no DNS
 * capture and no TPROXY mode: those options are ignored for Linkerd. `-p tcp` without `--dport` (ports
 * go through multiport) loads no tcp match, so xt_tcpudp is not needed.
 */
import type { MeshProfile, RuleLine } from './types.ts';

const IPTABLES_GO = 'linkerd/linkerd2-proxy-init pkg/iptables/iptables.go';
const ROOT_GO = 'linkerd/linkerd2-proxy-init cmd/root.go';
const PARTIAL = 'linkerd/linkerd2 charts/partials/templates/_proxy-init.tpl';
const VALUES = 'linkerd/linkerd2 charts/linkerd-control-plane/values.yaml (proxy.uid: 2102, proxyInit.ignoreInboundPorts/ignoreOutboundPorts: "4567,4568")';
const NFT_DOC = 'https://linkerd.io/2/features/nft/';

const nat = (rule: string): RuleLine => ({ table: 'nat', rule });

const lines: RuleLine[] = [
  nat(':PROXY_INIT_REDIRECT - [0:0]'),
  nat(':PROXY_INIT_OUTPUT - [0:0]'),
  nat('-A PROXY_INIT_REDIRECT -p tcp -m multiport --dports 4190,4191,4567,4568 -m comment --comment "proxy-init/ignore-port-4190,4191,4567,4568" -j RETURN'),
  nat('-A PROXY_INIT_REDIRECT -p tcp -m comment --comment "proxy-init/redirect-all-incoming-to-proxy-port" -j REDIRECT --to-ports 4143'),
  nat('-A PREROUTING -m comment --comment "proxy-init/install-proxy-init-prerouting" -j PROXY_INIT_REDIRECT'),
  nat('-A PROXY_INIT_OUTPUT -m owner --uid-owner 2102 -m comment --comment "proxy-init/ignore-proxy-user-id" -j RETURN'),
  nat('-A PROXY_INIT_OUTPUT -o lo -m comment --comment "proxy-init/ignore-loopback" -j RETURN'),
  nat('-A PROXY_INIT_OUTPUT -p tcp -m multiport --dports 4567,4568 -m comment --comment "proxy-init/ignore-port-4567,4568" -j RETURN'),
  nat('-A PROXY_INIT_OUTPUT -p tcp -m comment --comment "proxy-init/redirect-all-outgoing-to-proxy-port" -j REDIRECT --to-ports 4140'),
  nat('-A OUTPUT -m comment --comment "proxy-init/install-proxy-init-output" -j PROXY_INIT_OUTPUT'),
];

/** The Linkerd profile. */
export const linkerdProfile = {
  mesh: 'linkerd',
  proxyUid: 2102,
  proxyUidSource: VALUES,
  initContainers: ['linkerd-init'],
  initContainersSource: `${PARTIAL} (name: linkerd-init)`,
  cniValidation: {
    container: 'linkerd-network-validator',
    exitCode: 95,
    source: 'linkerd/linkerd2 charts/partials/templates/_network-validator.tpl (linkerd-network-validator runs when linkerd-cni is enabled); https://linkerd.io/2/features/cni/',
  },
  supports: { dnsCapture: false, tproxy: false, ipv6: true },
  dataplanes: ['sidecar'],
  versions: { known: [], source: `${IPTABLES_GO}: the rule set is the same across the releases this profile covers` },
  backendPolicy: {
    sidecar: 'configured',
    cni: 'configured',
    configuredDefault: 'nft',
    source: `${ROOT_GO} (--iptables-mode legacy|nft|plain); linkerd/linkerd2 charts/linkerd-control-plane/values.yaml proxyInit.iptablesMode and linkerd-cni iptablesMode: default nft since edge-25.8.2; ${NFT_DOC}`,
    caveat: 'plain mode runs the image\'s own `iptables` (for RHEL); mesh-preflight judges it as nft',
  },
  minKernel: {
    legacy: {
      release: '3.10',
      source:
        `Linkerd publishes no minimum kernel (${NFT_DOC}: legacy mode "is supported by most operating systems"); ` +
        'every construct proxy-init uses (nat REDIRECT, owner, multiport, comment) exists in 3.10, and linkerd-init ran on CentOS/OL 7 (linkerd/linkerd2#7749)',
    },
    nft: {
      release: '3.13',
      source: `${NFT_DOC} (nft mode calls iptables-nft, the nf_tables kernel API); nf_tables and nft_compat were merged in Linux 3.13`,
    },
  },
  tables: [{ table: 'nat', why: 'PROXY_INIT_REDIRECT / PROXY_INIT_OUTPUT chains in the nat table', source: IPTABLES_GO }],
  extensions: [
    { kind: 'target', name: 'REDIRECT', tables: ['nat'], why: 'REDIRECT --to-port 4143 inbound / 4140 outbound', source: `${IPTABLES_GO} (makeRedirectChainToPort)` },
    { kind: 'match', name: 'owner', tables: ['nat'], why: '--uid-owner 2102 exempts the proxy', source: `${IPTABLES_GO} (makeIgnoreUserID)` },
    { kind: 'match', name: 'multiport', tables: ['nat'], why: '--match multiport --dports for ignored ports', source: `${IPTABLES_GO} (makeIgnorePorts)` },
    { kind: 'match', name: 'comment', tables: ['nat'], why: 'every rule carries --comment proxy-init/…', source: `${IPTABLES_GO} (formatComment)` },
  ],
  node: [],
  kconfig: [],
  ruleset: {
    source: `${IPTABLES_GO}; ${ROOT_GO}; ${PARTIAL} (--ipv6=false only when disableIPv6, so ip6tables gets the same rules); linkerd/linkerd2#13171 (saved form)`,
    tableHeader: (table) => `*${table}`,
    lines,
  },
} satisfies MeshProfile;
