/**
 * Wordings taken from the format strings of the programs that print them (the cited file), filled in
 * with ordinary values, for signatures whose wording no public log we hold quotes yet. The contract test
 * accepts these in place of a real log; every other signature must match a real log fixture.
 */
export interface SourceWording {
  signatureId: string;
  line: string;
  /** repo + path of the format string. */
  source: string;
}

export const sourceWordings: SourceWording[] = [
  {
    signatureId: 'modprobe-table-not-found',
    line: 'modprobe: FATAL: Module iptable_nat not found in directory /lib/modules/5.15.0-1019-aws',
    source: 'kmod-project/kmod tools/modprobe.c',
  },
  {
    signatureId: 'network-plumbing-eperm',
    line: 'plugin type="bridge" failed (add): failed to create bridge "cni0": operation not permitted',
    source: 'containernetworking/plugins plugins/main/bridge/bridge.go',
  },
  {
    signatureId: 'network-plumbing-eperm',
    line: 'mount: permission denied (are you root?)',
    source: 'mirror/busybox libbb/messages.c',
  },
  {
    signatureId: 'modprobe-module-not-found',
    line: 'modprobe: module br_netfilter not found in modules.dep',
    source: 'mirror/busybox modutils/modprobe.c',
  },
  {
    signatureId: 'qdisc-not-found-on-add',
    line: 'tc qdisc add dev eth0 root netem delay 100ms\nError: Specified qdisc not found.',
    source: 'torvalds/linux net/sched/sch_api.c',
  },
  {
    signatureId: 'qdisc-kind-not-in-kernel',
    line: 'Error: Specified qdisc kind is unknown.',
    source: 'torvalds/linux net/sched/sch_api.c',
  },
  {
    signatureId: 'ipset-no-kernel-session',
    line: 'ipset v7.19: Cannot open session to kernel.',
    source: 'netfilter/ipset lib/session.c',
  },
  {
    signatureId: 'modprobe-no-lib-modules',
    line: "modprobe: ERROR: ../libkmod/libkmod.c:586 kmod_search_moddep() could not open moddep file '/lib/modules/5.15.0-1019-aws/modules.dep.bin'",
    source: 'kmod-project/kmod libkmod/libkmod.c',
  },
  {
    signatureId: 'backend-detection-conflict',
    line: 'time="2024-05-02T10:00:00Z" level=warning msg="Iptables backend specified does not match the detected backend; honoring specified backend" detectedBackend=nft specifiedBackend=legacy',
    source: 'linkerd/linkerd2-proxy-init proxy-init/cmd/root.go',
  },
  {
    signatureId: 'backend-detection-conflict',
    line: 'Error: failed to setup transparent proxy: failed to infer consistent iptables mode',
    source: 'kumahq/kuma pkg/transparentproxy/config/config_executables.go',
  },
  {
    signatureId: 'node-proxy-capabilities',
    line: 'Error: failed to set socket mark: failed to set mark on socket. make sure ztunnel has CAP_NET_RAW, CAP_NET_ADMIN. error: Os { code: 1, kind: PermissionDenied, message: "Operation not permitted" }',
    source: 'istio/ztunnel src/socket.rs',
  },
  {
    signatureId: 'node-proxy-capabilities',
    line: 'Error: failed to set netns: Os { code: 1, kind: PermissionDenied, message: "Operation not permitted" }',
    source: 'istio/ztunnel src/inpod/linux.rs',
  },
  {
    signatureId: 'ipset-kernel-behind',
    line: '2025-01-01T00:00:00Z error failed to create ambient nodeagent service: error initializing mesh dataplane: error initializing host addressSet manager: failed to create ipset istio-inpod-probes: protocol not supported',
    source: 'istio/istio cni/pkg/nodeagent/server_linux.go',
  },
  {
    signatureId: 'node-proxy-capabilities',
    line: '2025-01-01T00:00:00Z error failed to configure netlink rule: operation not permitted',
    source: 'istio/istio cni/pkg/nodeagent/net_linux.go',
  },
  {
    signatureId: 'control-plane-refused',
    line: "2025-01-01T00:00:00Z warn Envoy proxy is NOT ready: config received from XDS server, but was rejected: cds updates: 1 successful, 1 rejected; lds updates: 0 successful, 1 rejected",
    source: 'istio/istio pilot/cmd/pilot-agent/status/ready/probe.go',
  },
  {
    signatureId: 'kuma-iptables-executables-missing',
    line: "failed to find valid nft or legacy executables: initialization of one or more executables failed: could not locate executable 'iptables' with mode 'nft'",
    source: 'kumahq/kuma pkg/transparentproxy/config/config_executables.go',
  },
  {
    signatureId: 'table-does-not-exist',
    line: 'failed to find valid nft or legacy executables: functionality verification failed: unmet minimal requirements: missing table: "nat"',
    source: 'kumahq/kuma pkg/transparentproxy/config/config_executables.go',
  },
  {
    signatureId: 'cni-plugin-host-nft-unusable',
    line: 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "0f3c": plugin type="istio-cni" name="istio-cni" failed (add): nft version must be v1.0.1 or later (got nftables v0.9.8 (E.D.S.))',
    source: 'kubernetes-sigs/knftables nftables.go',
  },
  {
    signatureId: 'component-nft-unusable',
    line: 'nft version must be v1.0.1 or later (got nftables v1.0.0 (Fearless Fosdick #3))',
    source: 'kubernetes-sigs/knftables nftables.go',
  },
];
