/** Signatures of a mismatch between the iptables backend the mesh uses and what the node supports, and of IPv6 being off. */
import type { Signature } from './types.ts';

/**
 * A wrapper script chose the legacy backend by itself (not a flag the user set): klipper-lb's entry
 * (`lsmod | grep nf_tables`, else `mode=legacy`, `info "legacy mode detected"`, then symlinks
 * xtables-legacy-multi), k3s-root's iptables-detect.sh, and runtime `update-alternatives` switches.
 * lsmod lists loaded modules only, never built-in ones, so such a probe picks legacy on kernels with
 * nf_tables built in. Sources: k3s-io/klipper-lb entry; https://github.com/k3s-io/klipper-lb/issues/80.
 */
const LEGACY_AUTODETECTED =
  /\blegacy mode detected\b|^\+ mode=legacy\s*$|\bln -sf \S{0,60}xtables-legacy-multi \S{0,60}ip6?tables\b|update-alternatives: using \S{1,80}ip6?tables-legacy to provide/i;

export const backendSignatures: Signature[] = [
  {
    id: 'nft-generation-id-invalid',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 62,
    // EINVAL: nf_tables is there but older than this iptables expects (EPROTONOSUPPORT, no nf_tables at all, is in kernel.ts).
    patterns: [/(?<family>ip6?tables)(?:-(?:nft|save|restore))*(?: v\d+(?:\.\d+){1,2})?(?: \((?<backend>nf_tables)\))?: Could not fetch rule set generation id: Invalid argument/],
    modules: ['nf_tables'],
    explanation:
      'The mesh ran iptables-nft but the node kernel has no working nf_tables for it (module missing or kernel too old for this iptables).',
    remediation: [
      'Run the mesh in legacy mode on this node (Linkerd: proxyInit.iptablesMode=legacy), or',
      'Load nf_tables on the node: modprobe nf_tables && mesh-preflight fix, then mesh-preflight check --backend nft',
    ],
    source: 'https://github.com/linkerd/linkerd2/issues/9053',
  },
  {
    id: 'nft-chain-add-enoent',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // iptables-nft cannot even create a built-in chain (PREROUTING, POSTROUTING...): the kernel's
    // nf_tables lacks the chain type its table needs, so nothing iptables-nft does will work here, and
    // its extension warnings in the same log follow from it. Above those (56).
    priority: 57,
    patterns: [
      /(?:(?<family>ip6?tables)(?:-(?:nft|restore))*(?: v\d+(?:\.\d+){1,2})? \((?<backend>nf_tables)\):[\s,]{0,4}(?:line \d+: )?|^\s{0,4}line \d+: )CHAIN_ADD failed \(No such file or directory\)(?:: chain (?<chain>[A-Za-z0-9_-]+))?/,
      // Setting a built-in chain's policy, with the command on the line (alone, CHAIN_UPDATE may be a start script's backend probe).
      /(?:--policy|-P) [A-Z]+ (?:DROP|ACCEPT)\W{1,6}(?<family>ip6?tables) v\d+(?:\.\d+){1,2} \((?<backend>nf_tables)\):\s{1,4}CHAIN_UPDATE failed \(No such file or directory\): chain (?<chain>[A-Z]+)/,
    ],
    derive: 'previous-command',
    modules: ['nf_tables'],
    explanation:
      'iptables-nft could not create (or set the policy of) chain {chain}: this kernel\'s nf_tables lacks the chain type the table needs (for nat: nft_chain_nat), so the nft backend cannot work on this node while the legacy one may.',
    remediation: [
      'Run the mesh (and the node\'s tools) with the legacy backend on this node: mesh-preflight check shows which backend the kernel supports (Linkerd: proxyInit.iptablesMode=legacy)',
      'Or load the nf_tables chain types: modprobe nf_tables nft_chain_nat, then mesh-preflight fix',
    ],
    source:
      'https://github.com/pivpn/pivpn/issues/1135; https://github.com/netblue30/firejail/issues/2232 (`line 1: CHAIN_ADD failed`); https://github.com/qoomon/docker-host/issues/62; https://github.com/ruped24/toriptables3/issues/2; ' +
      'https://github.com/livecycle/preevy/pull/453 (dind on GKE: CHAIN_ADD POSTROUTING with the MASQUERADE warning; fixed by a legacy image); ' +
      'https://github.com/passteque/gluetun/issues/896 (ip6tables-nft --policy INPUT DROP: CHAIN_UPDATE failed on an Ubuntu 16.04 host; legacy worked); https://github.com/basecamp/kamal/pull/1762 (CHAIN_ADD failed without the chain name)',
  },
  {
    id: 'nft-rule-append-basic-rule',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 45,
    // The same ENOENT as nft-rule-append-enoent, for a rule that uses no extension module at all
    // (`-d 10.88.0.0/16 -j ACCEPT`): not one module is missing, the nf_tables path itself is unusable.
    patterns: [
      /(?<family>ip6?tables)(?:-(?:nft|restore))*(?: v\d+(?:\.\d+){1,2})?(?: \((?<backend>nf_tables)\))?:\s+RULE_(?:APPEND|INSERT|REPLACE) failed \((?:No such file or directory|Operation not supported|Protocol not supported)\)(?:: rule in chain (?<chain>[A-Za-z0-9_-]+))?/,
    ],
    derive: 'previous-command',
    when: { ruleWithoutExtension: true },
    modules: ['nf_tables'],
    explanation:
      'iptables-nft could not add even a basic rule{chainIn} (it uses no extension module): this kernel\'s nf_tables path is unusable for iptables-nft, so the nft backend is the wrong one for this node.',
    remediation: [
      'Use the legacy backend on this node (install iptables-legacy in the image or switch alternatives; Linkerd: proxyInit.iptablesMode=legacy)',
      'mesh-preflight check --backend nft lists the nf_tables modules this node lacks',
    ],
    source: 'https://github.com/podman-container-tools/podman/issues/25952 (podman machine on WSL: unable to append rule \'-d 10.88.0.0/16 -j ACCEPT\'; fixed with iptables-legacy)',
  },
  {
    id: 'legacy-binary-without-xtables-core',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // iptables 1.8+ chose legacy and the kernel has no x_tables core (ENOPROTOOPT, "iptables who?"): on
    // an 1.8-era node that is a host running nf_tables only, and the fix is the nft mode. Older,
    // untagged iptables saying it is the plain missing ip_tables (kernel.ts, iptables-who).
    // Above the table readings (55-60) of the same log: no x_tables core explains every table failure.
    priority: 61,
    patterns: [
      /(?<family>ip6?tables)(?:-legacy)?(?:-(?:save|restore))? v1\.(?:8|9|1\d)(?:\.\d+)? \((?<backend>legacy)\): (?:Cannot initialize|can't initialize ip6?tables table [`'"][a-z]+['`"]?): ip6?tables who\? \(do you need to insmod\?\)/,
    ],
    derive: 'none',
    modules: ['{core}'],
    explanation:
      'The container\'s iptables chose the legacy backend, and this kernel has no legacy x_tables core loaded ({modules}, "iptables who?"): the node runs nf_tables, so the init container should use the nft backend.',
    remediation: [
      'Run the mesh init in nft mode on this node (Linkerd: proxyInit.iptablesMode=nft; images that detect the backend, e.g. iptables-wrappers)',
      'Or, if the node is meant to run legacy iptables: modprobe {modules} && mesh-preflight fix',
    ],
    source:
      'https://github.com/linkerd/linkerd2/issues/8596 (iptables-save v1.8.7 (legacy): Cannot initialize: iptables who?; led to Linkerd\'s iptables modes, https://github.com/linkerd/website/pull/1429); ' +
      'https://github.com/telepresenceio/telepresence/issues/2596 (legacy Alpine image on nftables nodes)',
  },
  {
    id: 'nft-table-add-invalid',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 47,
    // EINVAL or ENOENT: the kernel's nf_tables cannot make a table of this kind for iptables-nft (no nat
    // chain type, too old), while the legacy backend on the same host may work.
    patterns: [/TABLE_ADD failed \((?:Invalid argument|No such file or directory)\): table (?<table>[a-z]+)/],
    derive: 'none',
    modules: ['nf_tables'],
    explanation:
      'iptables-nft could not create the `{table}` table: this kernel\'s nf_tables does not support tables of this kind for iptables-nft (an nft image on a host whose kernel and rules are legacy).',
    remediation: [
      'Use the legacy backend for the mesh on this node, or load nf_tables: modprobe nf_tables',
      'mesh-preflight check --backend nft shows which nft modules are missing',
    ],
    source: 'https://github.com/docker/for-win/issues/517; https://github.com/deckhouse/deckhouse/pull/3614 (line 24: TABLE_ADD failed (No such file or directory): table nat, istio-init on CentOS 7)',
  },
  {
    id: 'iptables-backend-binary-missing',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 48,
    patterns: [/failed to execute (?<binary>ip6?tables-(?:nft|legacy)(?:-save|-restore)?): No such file or directory/],
    derive: 'none',
    explanation:
      'The CNI plugin runs the host\'s iptables binaries and {binary} is not installed on this node: the mesh expects a backend the node does not provide.',
    remediation: [
      'Install the matching iptables package on the node (iptables-nft / iptables-legacy), or',
      'Configure the mesh for the backend the node has (Linkerd: proxyInit.iptablesMode)',
    ],
    source: 'https://github.com/linkerd/linkerd2/issues/14538',
  },
  {
    id: 'nft-front-end-without-nf-tables',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // EPROTONOSUPPORT from nfnetlink: iptables-nft on a kernel with no nf_tables at all. Outranks the
    // generic readings of the same log; below SELinux/IPv6.
    priority: 63,
    patterns: [
      // Issues often quote it cut after "Protocol".
      /(?<binary>ip6?tables(?:-nft)?(?:-save|-restore)?)(?:\/\d+\.\d+(?:\.\d+)?)?:? Failed to initialize nft: Protocol(?: not supported|$)/,
      /(?<binary>ip6?tables)(?:-(?:nft|save|restore))*(?: v\d+(?:\.\d+){1,2})?(?: \((?<backend>nf_tables)\))?: Could not fetch rule set generation id: Protocol not supported/,
      // native nft: its first netlink dump fails the same way on a kernel without nf_tables
      /netlink: Error: cache initialization failed: (?:Protocol not supported|Invalid argument)/,
    ],
    // Not when the legacy binary then fails on a table too: neither backend works, the kernel lacks NAT.
    when: { nowhere: /can't initialize ip6?tables table|unable to initialize table|Table does not exist \(do you need to insmod/ },
    derive: 'none',
    modules: ['nf_tables'],
    explanation:
      'The mesh (or the tool) ran iptables-nft, but this kernel has no nf_tables: nfnetlink answered "Protocol not supported". The node needs the legacy backend, or nf_tables loaded ({modules}).',
    remediation: [
      'Run the mesh with the legacy backend on this node (Linkerd: proxyInit.iptablesMode=legacy; Istio detects the backend from the host\'s rules, so check which binary it chose); host tools: update-alternatives --set iptables /usr/sbin/iptables-legacy',
      'Or load nf_tables: modprobe nf_tables && mesh-preflight fix; if the module does not exist, the kernel was built without CONFIG_NF_TABLES',
    ],
    source:
      'https://github.com/qxhome/rk3568-kernel5.10-alldrivers/issues/2; https://github.com/mattymcfatty/HoneyPi/issues/19 (iptables/1.8.2, ip6tables-save/1.8.2); ' +
      'https://github.com/k3s-io/klipper-lb/issues/83 (iptables: Failed to initialize nft); https://github.com/DyonR/docker-qbittorrentvpn/issues/154',
  },
  {
    id: 'ipv6-sysctl-tree-absent',
    category: 'ipv6-unsupported',
    nodeProblem: true,
    priority: 84,
    // /proc/sys/net/ipv6 exists whenever the kernel has IPv6 on, even with every interface's
    // disable_ipv6=1; only ipv6.disable=1 (or no IPv6 in the kernel) removes it.
    patterns: [
      /\/proc\/sys\/net\/ipv6\/\S{0,120}: no such file or directory/i,
      // procps-ng sysctl names the key instead of the path
      /sysctl: (?:error: )?[`'"]?net\.ipv6\.[a-z0-9_.-]{1,80}[`'"]? is an unknown key/,
      /failed to determine if IPv6 was disabled[^\n]{0,200}(?:NotFound|No such file or directory)/,
    ],
    derive: 'none',
    explanation:
      'The node\'s /proc/sys/net/ipv6 is missing: IPv6 is disabled in the kernel (booted with ipv6.disable=1), so IPv6 sockets and ip6tables cannot be used. No module load helps.',
    remediation: [
      'Either enable IPv6 on the node (remove ipv6.disable=1 from the kernel command line and reboot),',
      'or run the mesh IPv4-only on this node (Istio: no dual-stack; ambient ztunnel needs IPv6 sockets unless IPv6 is off in its config)',
    ],
    source: 'https://github.com/istio/ztunnel/issues/1611 (ipv6.disable=1); istio/ztunnel src/config.rs (reads /proc/sys/net/ipv6/conf/all/disable_ipv6; warns "failed to determine if IPv6 was disabled"); linux Documentation/networking/ipv6.rst (disable=1: no IPv6 at all)',
  },
  {
    id: 'backend-detection-conflict',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 21,
    // The mesh's own backend detection found the other backend in use on the node (warnings that
    // usually precede "no redirect" symptoms).
    patterns: [
      /Iptables backend specified does not match the detected backend/,
      /failed to infer consistent iptables mode/,
      /conflicting iptables modes detected; both iptables-nft and iptables-legacy have existing rules/,
    ],
    derive: 'none',
    explanation:
      'The mesh found rules of the other iptables backend on this node than the one it uses: its rules and those of kube-proxy/the CNI live in different backends and will not see each other.',
    remediation: [
      'mesh-preflight check shows which backend the node uses; set the mesh to it (Linkerd: proxyInit.iptablesMode; Istio detects it from existing rules)',
      'Remove the stale rules of the unused backend (a reboot clears them) once every component uses one backend',
    ],
    source:
      'linkerd/linkerd2-proxy-init proxy-init/cmd/root.go ("Iptables backend specified does not match the detected backend; honoring specified backend"); ' +
      'kumahq/kuma pkg/transparentproxy/config/config_executables.go ("failed to infer consistent iptables mode", "conflicting iptables modes detected")',
  },
  {
    id: 'nft-target-read-as-chain',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 37,
    // iptables-nft registers a target only if the kernel offers it through nft_compat; otherwise
    // `-j REDIRECT` is read as a jump to a chain named REDIRECT. The legacy backend on the same node may
    // have the target (xt_REDIRECT loaded for ip_tables) while the nft path does not.
    patterns: [/\((?<backend>nf_tables)\): Chain '(?<chain>[A-Z]{2,20})' does not exist/],
    derive: 'none',
    when: { extensionKnown: true },
    modules: ['nft_compat'],
    explanation:
      'iptables-nft read the {chain} target as a chain name: the kernel offered no revision of it to the nf_tables path (nft_compat or the xt module missing there), so the nft backend cannot program these rules on this node although it is a standard target.',
    remediation: [
      'Run the mesh with the backend this node supports (mesh-preflight check shows it; Istio: an image or CNI using iptables-legacy; Linkerd: proxyInit.iptablesMode=legacy), or',
      'Load the nft path\'s modules: modprobe nft_compat and the xt module of {chain} (e.g. xt_REDIRECT), then mesh-preflight fix',
    ],
    source: 'https://github.com/istio/istio/issues/23279 (iptables-restore v1.8.3 (nf_tables): Chain \'REDIRECT\' does not exist on Debian buster images; legacy worked on the same hosts)',
  },
  {
    id: 'nft-chain-delete-busy',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 35,
    // A full restore deletes chains its own input no longer references; iptables-nft finding them still
    // referenced means another writer with another view of the table (an old iptables-nft 1.8.0-1.8.3
    // image, or the other backend's tools) holds references it does not know about.
    patterns: [/(?:\((?<backend>nf_tables)\):[\s,]{0,4}|^\s{0,4}|: )(?:line \d+: )?CHAIN_(?:USER_)?DEL failed \(Device or resource busy\): chain (?<chain>[A-Za-z0-9_-]{1,60})/],
    derive: 'none',
    explanation:
      'iptables-nft could not delete chain {chain}: something it does not see still references it. Typical of an image whose iptables-nft does not match the node (an nft binary on a host whose rules are legacy, or a 1.8.0-1.8.3 iptables-nft next to a newer one).',
    remediation: [
      'mesh-preflight check shows the node\'s backend; run components whose iptables picks it (iptables-wrappers, or iptables >= 1.8.4 with the right mode)',
      'Do not mix images with old iptables-nft and the host\'s tools on one node',
    ],
    source: 'https://github.com/kubernetes/kubernetes/issues/92250 (hyperkube v1.16 iptables-restore v1.8.2 (nf_tables) on a legacy CentOS 7 host: CHAIN_USER_DEL busy); netfilter iptables iptables/nft.c (CHAIN_USER_DEL batch error)',
  },
  {
    id: 'legacy-tables-present',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 20,
    patterns: [/\bWarning: ip6?tables-legacy tables present\b/],
    derive: 'none',
    explanation:
      'Rules exist in both backends: the mesh used iptables-nft while legacy tables are present, so its rules and the others will not see each other.',
    remediation: ['Make the mesh use the node\'s backend: mesh-preflight check shows which one the node uses', 'Linkerd: proxyInit.iptablesMode=legacy|nft'],
    source: 'https://github.com/P0cL4bs/wifipumpkin3/issues/96; https://github.com/kubernetes/kubernetes/issues/107965 (iptables-nft-save to stderr, no `# `); netfilter iptables iptables/nft.c (nft_check_xt_legacy)',
  },
  {
    id: 'ip6-address-family-not-supported',
    category: 'ipv6-unsupported',
    nodeProblem: true,
    // EAFNOSUPPORT says the whole IPv6 family is off: nothing to modprobe. It outranks the generic
    // "has no loaded kernel support" probe (40) and table guesses, below SELinux (94+).
    priority: 85,
    patterns: [
      /(?<family>ip6tables)(?:-(?:legacy|nft))?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy|nf_tables)\))?)?: can't initialize ip6tables table [`'"](?<table>[a-z]+)['`"]?: Address family not supported by protocol/,
      // Any ip6tables* tool (legacy, nft, restore, or a mesh's probe quoting it) failing with EAFNOSUPPORT.
      /(?<family>ip6tables)[^\n]{0,400}?Address family not supported by protocol/,
      // libxtables' revision probe: only an AF_INET6 raw socket can fail with EAFNOSUPPORT.
      /Could not open socket to kernel: Address family not supported by protocol/,
      /\bipv6\.disable=1\b/,
      // EAFNOSUPPORT from any program (Go lower-cases it, Rust adds "os error 97", Python "[Errno 97]"):
      // AF_INET and AF_NETLINK always exist on Linux, so the family it lacks is AF_INET6.
    ],
    derive: 'none',
    when: { elsewhere: /ip6tables|address family not supported by protocol/i },
    explanation:
      'IPv6 is disabled in this node\'s kernel (e.g. booted with ipv6.disable=1): ip6tables gets "Address family not supported by protocol", so ip6tables cannot open any table. No module load helps.',
    remediation: [
      'Either enable IPv6 on the node (remove ipv6.disable=1 from the kernel command line and reboot),',
      'or turn off IPv6 interception for the mesh on IPv4-only nodes (Istio: values.pilot.env.ISTIO_DUAL_STACK / ENABLE_INBOUND_IPV6=false)',
    ],
    source:
      'https://github.com/cloudfoundry/bosh-linux-stemcell-builder/issues/40; https://github.com/istio/istio/issues/15895; ' +
      'https://github.com/SELinuxProject/selinux-testsuite/pull/55 (ipv6.disable=1: ip6tables v1.8.2 (legacy) and "Could not open socket to kernel: Address family not supported by protocol"); ' +
      'https://github.com/istio/istio/issues/57199; https://github.com/rustfs/rustfs/issues/1202 (os error 97 with ipv6.disable=1)',
  },
  {
    id: 'eafnosupport-anywhere',
    category: 'ipv6-unsupported',
    nodeProblem: true,
    // Below every specific node reading (tables 55-60, modules 44-50): EAFNOSUPPORT from some other program
    // is a weaker sign (an IPv6 routing rule also fails so on a kernel without IPV6_MULTIPLE_TABLES).
    priority: 42,
    // EAFNOSUPPORT from any program (Go lower-cases it, Rust adds "os error 97", Python "[Errno 97]"):
    // AF_INET and AF_NETLINK always exist on Linux, so the family it lacks is AF_INET6. Not nft's own
    // (there the family is nf_tables', inet/ip6/bridge: see nft-family-not-in-kernel).
    patterns: [/^(?![^\n]*Could not process rule)[^\n]*address family not supported by protocol/i],
    derive: 'none',
    explanation:
      'A program on this node got "Address family not supported by protocol": IPv6 is disabled in the kernel (e.g. booted with ipv6.disable=1), or the IPv6 feature it used is not built.',
    remediation: [
      'Either enable IPv6 on the node (remove ipv6.disable=1 from the kernel command line and reboot),',
      'or turn off IPv6 for the mesh and the component on IPv4-only nodes (Istio: ENABLE_INBOUND_IPV6=false)',
    ],
    source: 'https://github.com/rustfs/rustfs/issues/1202 (os error 97 with ipv6.disable=1); https://github.com/istio/istio/issues/57199',
  },
  {
    id: 'ipv6-loopback-absent',
    category: 'ipv6-unsupported',
    nodeProblem: true,
    priority: 84,
    // With net.ipv6.conf.all.disable_ipv6=1 the kernel still has AF_INET6 but no IPv6 address, not even
    // ::1: binding a listener there fails with EADDRNOTAVAIL (Go: "bind: cannot assign requested address").
    patterns: [
      /\blisten (?:tcp6|udp6|tcp|udp) \[::1\]:\d{1,5}: bind: cannot assign requested address/i,
      // the kernel's own refusal to add an IPv6 address (net/ipv6/addrconf.c extack)
      /\bIPv6 is disabled on this device\b/,
    ],
    derive: 'none',
    explanation:
      'IPv6 is disabled on this node by sysctl (net.ipv6.conf.all.disable_ipv6=1): no IPv6 address can be added, not even the loopback ::1, so whatever binds or configures IPv6 cannot start.',
    remediation: [
      'Enable IPv6 on the node (sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0, and in /etc/sysctl.d), or',
      'configure the component (or the mesh: IPv6 off) to listen on IPv4 only',
    ],
    source: 'https://github.com/cloudnativelabs/kube-router/issues/566 (listen tcp6 [::1]:179 with disable_ipv6=1); https://github.com/Maroka-chan/VPN-Confinement/issues/19 (Error: ipv6: IPv6 is disabled on this device.)',
  },
  {
    id: 'legacy-table-on-nft-node',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // Above the missing-table readings (55-60) when the node (diagnose --on-node, the agent) or the log
    // itself shows the nf_tables backend at work beside the failing legacy binary.
    priority: 61,
    patterns: [
      /(?<family>ip6?tables)(?:-legacy)?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy)\))?)?: can't initialize ip6?tables table [`'"]?(?<table>[a-z]+)['`"]?: Table does not exist/,
      /(?<family>ip6?tables)-restore(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy)\))?)?: (?:ip6?tables-restore: )?unable to initialize table '(?<table>[a-z]+)'/,
    ],
    derive: 'none',
    when: { backendConflict: true },
    explanation:
      'A legacy iptables could not open the {table} table on a node whose rules are in nf_tables: the legacy table modules are not loaded because nothing here uses them. The image (or tool) runs the wrong backend.',
    remediation: [
      'Use the nft mode of the image or tool (iptables-nft, iptables-wrapper); loading the legacy modules instead would split the rules across two backends',
    ],
    source:
      'https://github.com/lisenet/docker-openvpn/issues/28 and https://github.com/tailscale/codespace/issues/11 (legacy images on nft hosts, as their threads established)',
  },
  {
    id: 'legacy-on-kernel-without-legacy-xtables',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // Above the missing-table reading of the same log (55-60).
    priority: 62,
    // Since 6.17 the legacy xtables core is its own config symbol (CONFIG_IP_NF_IPTABLES_LEGACY), off in
    // nft-only kernels (Raspberry Pi OS, Talos): legacy iptables 1.8+ finds no ip_tables module at all, and
    // the same binary's nft mode would work.
    patterns: [
      /modprobe: (?:FATAL|WARNING): Module (?<module>ip6?_tables) not found in directory \/lib\/modules\/(?:6\.(?:1[7-9]|[2-9]\d)|[7-9]\.\d{1,2})[.\w+-]{0,80}/,
    ],
    derive: 'none',
    when: { elsewhere: /\bv1\.(?:8|9|\d\d)(?:\.\d+)? \(legacy\)/ },
    explanation:
      'This kernel (6.17 or later) was built without the legacy xtables core ({module} is not in its module tree): legacy iptables cannot work on it at all, while the same iptables in nft mode would. The tool picked the wrong backend.',
    remediation: [
      'Switch the tool (or the node\'s iptables alternative) to iptables-nft: update-alternatives --set iptables /usr/sbin/iptables-nft (and ip6tables); in an image, use its nft mode or iptables-wrapper',
      'Or use a kernel built with CONFIG_IP_NF_IPTABLES_LEGACY (and the table modules) if the tool cannot use nft',
    ],
    source:
      'https://github.com/antrea-io/antrea/issues/7755 (Talos, kernel 6.18); https://github.com/MichaIng/DietPi/issues/8163 (Raspberry Pi kernel 6.18: switch to iptables-nft); torvalds/linux net/ipv4/netfilter/Kconfig (IP_NF_IPTABLES_LEGACY)',
  },
  {
    id: 'legacy-autodetected-no-kernel-support',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // Outranks the plain missing-table/extension readings (55-60) of the same lines only when the log
    // shows the legacy backend was picked by auto-detection; below SELinux and IPv6 (85+).
    priority: 61,
    patterns: [
      /Warning: Extension (?<ext>[a-z0-9]+) revision \d+ not supported, missing kernel module\?/,
      /Couldn't load (?<kind>match) [`'"](?<ext>[a-z0-9]+)['`"]?:\s*No such file or directory/,
      /(?<family>ip6?tables)(?:-legacy)?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy)\))?)?: can't initialize ip6?tables table [`'"](?<table>[a-z]+)['`"]?: Table does not exist/,
      /(?<family>ip6?tables)(?:-legacy)?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy)\))?)?: Cannot initialize: ip6?tables who\?/,
    ],
    when: { elsewhere: LEGACY_AUTODETECTED },
    explanation:
      'The container\'s script chose the legacy iptables backend by itself, and the kernel has no legacy support for what the rule needs ({modules}). Such probes (e.g. `lsmod | grep nf_tables`) cannot see a built-in nf_tables, so on an nf_tables kernel they pick legacy wrongly; the nft backend would not need the legacy xtables modules.',
    remediation: [
      'mesh-preflight check shows which backend the node really uses and whether nf_tables is built in',
      'If the node uses nf_tables: make the image pick nft (set its iptables mode explicitly, or use a version whose detection looks at existing rules, e.g. iptables-wrappers), or',
      'If the node is meant to run legacy: modprobe {modules} (mesh-preflight fix persists it)',
    ],
    source: 'https://github.com/k3s-io/klipper-lb/issues/80; k3s-io/klipper-lb entry (check_iptables_mode: lsmod | grep nf_tables)',
  },
  {
    id: 'nft-table-incompatible',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 50,
    // `chain `X' in table `filter' is incompatible` is also what iptables-nft < 1.8.11 said for a user
    // chain that does not exist (moby's and go-iptables' tests), so at chain level only built-in chains
    // count: those always exist, so for them the wording is a real clash.
    patterns: [
      /(?:^|: )table [`'"](?<table>[a-z]+)['`"] is incompatible, use 'nft' tool/,
      /\bchain [`'"](?:INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING)['`"] in table [`'"](?<table>[a-z]+)['`"] is incompatible, use 'nft' tool/,
      /^# Table [`'"](?<table>[a-z]+)['`"] is incompatible, use 'nft' tool/,
      /iptables-save failed because there are incompatible nft rules in the table/,
    ],
    derive: 'none',
    explanation:
      'iptables-nft cannot read the {table} table: something on the node wrote native nftables rules (nft, firewalld, a VPN agent, a newer iptables-nft) into the table iptables manages, so rules made through iptables and nft collide. No module is missing.',
    remediation: [
      'List what is in the table: nft list table ip {table} (the rules iptables cannot show are the other tool\'s)',
      'Make that tool keep its rules in its own nftables table (or switch it to iptables-nft), then restart the mesh/CNI component',
    ],
    source:
      'https://github.com/containernetworking/plugins/issues/461 (iptables v1.8.2 (nf_tables): table `nat\' is incompatible, use \'nft\' tool.); ' +
      'https://github.com/squat/kilo/issues/402; https://github.com/netbirdio/netbird/issues/2725; ' +
      'projectcalico/calico felix iptables table.go ("iptables-save failed because there are incompatible nft rules in the table"); ' +
      'https://github.com/k3s-io/k3s/issues/11415 (chain `INPUT\' in table `filter\' is incompatible: a native nft rule in the built-in chain)',
  },
  {
    id: 'chain-target-other-backend',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // Same wording as mesh-chain-not-found (35), which it outranks only when the log shows two backends.
    priority: 36,
    patterns: [/Couldn't (?:load|find) target [`'"](?<chain>[A-Za-z][A-Za-z0-9_-]{0,60})['`"]?/, /\bChain '(?<chain>[A-Za-z0-9_-]{1,60})' does not exist/],
    derive: 'none',
    when: { extensionKnown: false, backendConflict: true },
    explanation:
      '{chain} is a chain, not a kernel target, and this iptables cannot see it although the log shows both iptables backends at work (a legacy or pre-1.8 iptables next to nf_tables, or legacy tables left beside nft ones): the chain was created in the other backend. Typical for an old legacy-only kube-proxy or mesh image on an nft node.',
    remediation: [
      'Make every component on the node use the same backend: mesh-preflight check shows the node\'s backend',
      'Use images whose iptables picks the node\'s backend (iptables-wrappers / iptables 1.8+ with nft), or set it explicitly (Linkerd: proxyInit.iptablesMode)',
    ],
    source:
      'https://github.com/openshift/installer/issues/1816 (kube-proxy iptables-restore v1.4.21 on an nft host: KUBE-MARK-DROP; fixed by iptables wrappers, openshift/origin#23235); ' +
      'https://github.com/robbertkl/docker-ipv6nat/issues/82; https://github.com/kubernetes/website/pull/16271 (mixing backends breaks kube-proxy)',
  },
];
