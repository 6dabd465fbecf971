/**
 * Consul on Kubernetes (consul-k8s) transparent proxy, as data: the `consul-connect-inject-init` init
 * container (`consul-k8s-control-plane connect-init`) or the consul-cni plugin calls the Consul SDK's
 * iptables.Setup, which runs one `iptables -t nat …` command per rule.
 *
 * Rules: hashicorp/consul sdk/iptables/iptables.go (Setup), the version consul-k8s pins (control-plane/go.mod
 * @ v1.8.16: `replace github.com/hashicorp/consul/sdk => … v0.16.2`), rendered for consul-k8s' defaults
 * (control-plane/connect-inject/webhook/redirect_traffic.go and container_init.go @ v1.8.16: proxy uid 5995,
 * init-container uid 5996 excluded, inbound port 20000 (constants.ProxyDefaultInboundPort), outbound 15001,
 * DNS to consul-dataplane's proxy 127.0.0.1:8600 when DNS redirection is on).
 *
 * Backend: the SDK runs plain `iptables` from PATH (sdk/iptables/iptables_executor_linux.go), with no
 * backend detection, so the image decides. consul-k8s control-plane/Dockerfile @ v1.8.16 installs
 * `iptables` with `apk add` on alpine:3.24 (default image) and `microdnf install iptables` on
 * ubi9-minimal (UBI image). Alpine ships the legacy backend only in a separate `iptables-legacy` package
 * since 3.19 (images that need legacy add it: k3s-io/klipper-lb commit a7c4ea4 "Install iptables-legacy
 * package" on alpine:3.19; linuxserver/docker-wireguard "Use iptables-legacy on Alpine 3.19"), and RHEL 9
 * ships only iptables-nft, so `iptables` in both images is iptables-nft. This is read from the packaging,
 * not from a Consul document: mesh-preflight judges the node for nft and says so.
 */
import type { MeshProfile, RuleLine } from './types.ts';

const SDK = 'hashicorp/consul sdk/iptables/iptables.go (Setup; sdk v0.16.2 as pinned by hashicorp/consul-k8s control-plane/go.mod @ v1.8.16)';
const EXECUTOR = 'hashicorp/consul sdk/iptables/iptables_executor_linux.go (ApplyRules: exec.LookPath("iptables"), then exec.Command("iptables", …) — or `nsenter --net=<netns> -- iptables …` from the CNI plugin: the first iptables on PATH)';
const WEBHOOK = 'hashicorp/consul-k8s control-plane/connect-inject/webhook/redirect_traffic.go @ v1.8.16';
const CONTAINER_INIT = 'hashicorp/consul-k8s control-plane/connect-inject/webhook/container_init.go @ v1.8.16 (sidecarUserAndGroupID 5995, initContainersUserAndGroupID 5996)';
const DOCKERFILE = 'hashicorp/consul-k8s control-plane/Dockerfile @ v1.8.16 (alpine:3.24 + apk add iptables; ubi9-minimal + microdnf install iptables)';

const DNS = { dnsCapture: true } as const;
const nat = (rule: string, when?: RuleLine['when']): RuleLine => ({ table: 'nat', rule, ...(when ? { when } : {}) });

const lines: RuleLine[] = [
  nat('-N CONSUL_PROXY_INBOUND'),
  nat('-N CONSUL_PROXY_IN_REDIRECT'),
  nat('-N CONSUL_PROXY_OUTPUT'),
  nat('-N CONSUL_PROXY_REDIRECT'),
  nat('-N CONSUL_DNS_REDIRECT'),
  nat('-A CONSUL_PROXY_REDIRECT -p tcp -j REDIRECT --to-port 15001'),
  nat('-A CONSUL_DNS_REDIRECT -p udp -d 127.0.0.1 --dport 53 -j DNAT --to-destination 127.0.0.1:8600', DNS),
  nat('-A CONSUL_DNS_REDIRECT -p tcp -d 127.0.0.1 --dport 53 -j DNAT --to-destination 127.0.0.1:8600', DNS),
  nat('-A OUTPUT -p udp -d 127.0.0.1 --dport 53 -j CONSUL_DNS_REDIRECT', DNS),
  nat('-A OUTPUT -p tcp -d 127.0.0.1 --dport 53 -j CONSUL_DNS_REDIRECT', DNS),
  nat('-A OUTPUT -p tcp -j CONSUL_PROXY_OUTPUT'),
  nat('-A CONSUL_PROXY_OUTPUT -m owner --uid-owner 5995 -j RETURN'),
  nat('-A CONSUL_PROXY_OUTPUT -d 127.0.0.1/32 -j RETURN'),
  nat('-A CONSUL_PROXY_OUTPUT -j CONSUL_PROXY_REDIRECT'),
  nat('-I CONSUL_PROXY_OUTPUT -m owner --uid-owner 5996 -j RETURN'),
  nat('-A CONSUL_PROXY_IN_REDIRECT -p tcp -j REDIRECT --to-port 20000'),
  nat('-A PREROUTING -p tcp -j CONSUL_PROXY_INBOUND'),
  nat('-A CONSUL_PROXY_INBOUND -p tcp -j CONSUL_PROXY_IN_REDIRECT'),
];

/** The Consul profile. */
export const consulProfile = {
  mesh: 'consul',
  proxyUid: 5995,
  proxyUidSource: CONTAINER_INIT,
  initContainers: ['consul-connect-inject-init'],
  initContainersSource: 'hashicorp/consul-k8s control-plane/connect-inject/webhook/container_init.go @ v1.8.16 (injectInitContainerName = "consul-connect-inject-init")',
  supports: { dnsCapture: true, tproxy: false, ipv6: false },
  dataplanes: ['sidecar'],
  versions: { known: ['1.8'], source: 'hashicorp/consul-k8s tag v1.8.16' },
  backendPolicy: {
    sidecar: 'image',
    cni: 'host',
    imageDefault: 'nft',
    source: `${EXECUTOR}; ${DOCKERFILE}; consul-cni runs on the host, so the host's own iptables decides there (control-plane/cni/main.go calls the same iptables.Setup)`,
    caveat:
      'which backend the image\'s `iptables` uses is read from its packaging (Alpine ≥ 3.19 and UBI 9 ship iptables-nft as `iptables`), not from a Consul document; a custom image with iptables-legacy would need --backend legacy',
  },
  minKernel: {
    legacy: { release: '3.10', source: `Consul states no minimum kernel; the rules (${SDK}) use only nat REDIRECT/DNAT and owner, present since before 3.10` },
    nft: { release: '3.13', source: `${DOCKERFILE}: iptables-nft needs nf_tables and nft_compat, merged in Linux 3.13` },
  },
  tables: [{ table: 'nat', why: 'CONSUL_PROXY_* chains: REDIRECT to Envoy 20000/15001, DNAT of DNS to 127.0.0.1:8600', source: SDK }],
  extensions: [
    { kind: 'target', name: 'REDIRECT', tables: ['nat'], why: 'REDIRECT --to-port 15001 / 20000', source: SDK },
    { kind: 'match', name: 'owner', tables: ['nat'], why: '--uid-owner 5995 (proxy) and 5996 (init containers) are not redirected', source: `${SDK}; ${WEBHOOK}` },
    { kind: 'target', name: 'DNAT', tables: ['nat'], when: DNS, why: 'DNS to consul-dataplane (DNAT --to-destination 127.0.0.1:8600)', source: `${SDK}; ${WEBHOOK}` },
    { kind: 'match', name: 'tcp', tables: ['nat'], when: DNS, why: '-p tcp --dport 53', source: SDK },
    { kind: 'match', name: 'udp', tables: ['nat'], when: DNS, why: '-p udp --dport 53', source: SDK },
  ],
  node: [],
  kconfig: [],
  ruleset: { source: `${SDK}; ${WEBHOOK}`, tableHeader: (table) => `*${table}`, lines },
} satisfies MeshProfile;
