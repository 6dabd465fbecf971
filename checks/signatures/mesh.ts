/**
 * Signatures of failures that are not the node's: the mesh's own configuration, an init container
 * re-run in an already configured pod, a CNI plugin that never ran, or an unreachable control plane.
 */
import type { Signature } from './types.ts';

// `iptables-restore: line N failed` (<= 1.8.4) and `xtables other problem: line N failed` (as Istio's Go
// wrapper prints newer iptables' error class).
const RESTORE_FAILED =
  /(?:(?<family>ip6?tables)(?:-legacy|-nft)?-restore(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy|nf_tables)\))?)?|xtables (?:other|parameter) problem): line (?<line>\d+) failed/;

export const meshSignatures: Signature[] = [
  {
    id: 'chain-already-exists',
    category: 'config-error',
    nodeProblem: false,
    priority: 45,
    patterns: [
      /ip6?tables(?:-(?:legacy|nft))?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?: Chain already exists/,
      // iptables-nft's wording of the same EEXIST
      /\((?:nf_tables)\):\s{1,4}(?:line \d+: )?CHAIN_USER_ADD failed \(File exists\): chain [A-Za-z0-9_-]{1,60}/,
    ],
    derive: 'none',
    explanation:
      'The chain already exists: the init container ran again in a pod whose network namespace already has the mesh chains (a restarted or re-run init container), or two runs raced to create it; the node is not the cause.',
    remediation: [
      'Delete the pod so it gets a fresh network namespace',
      'If it keeps happening, check what restarts init containers (container GC removing exited init containers, node reboots) and upgrade to a mesh version whose init is idempotent',
    ],
    source: 'https://github.com/istio/istio/issues/21030; https://github.com/istio/old_issues_repo/issues/197; https://github.com/linkerd/linkerd2/issues/3563; https://github.com/hashicorp/nomad/issues/8838 (nft: CHAIN_USER_ADD failed (File exists), a CNI race)',
  },
  {
    id: 'restore-line-failed-chain-exists',
    category: 'config-error',
    nodeProblem: false,
    priority: 44,
    patterns: [RESTORE_FAILED],
    derive: 'none',
    when: { restoreLine: /^-N\s/ },
    explanation:
      'iptables-restore failed on line {line} (`{restoreLine}`), which creates a chain: the chain already exists because the init container is re-running in an already configured pod.',
    remediation: ['Delete the pod so it gets a fresh network namespace', 'Upgrade to a mesh version whose init container is idempotent'],
    source: 'https://github.com/istio/istio/issues/19380; https://github.com/istio/istio/issues/38036',
  },
  {
    id: 'restore-line-failed-after-existing-chains',
    category: 'config-error',
    nodeProblem: false,
    priority: 43,
    patterns: [RESTORE_FAILED],
    derive: 'none',
    when: { elsewhere: /^:(?:ISTIO|PROXY_INIT)_[A-Z_]{1,40} - \[\d+:\d+\]/ },
    explanation:
      'iptables-restore failed on line {line} and the saved state shows the mesh chains already present: the init container re-ran in an already configured pod.',
    remediation: ['Delete the pod so it gets a fresh network namespace'],
    source: 'https://github.com/istio/istio/issues/32145; https://github.com/istio/istio/issues/38036',
  },
  {
    id: 'chain-too-many-links',
    category: 'config-error',
    nodeProblem: false,
    priority: 41,
    patterns: [/ip6?tables(?:-(?:legacy|nft))?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?: Too many links/],
    derive: 'none',
    explanation:
      'A mesh chain could not be deleted because rules still reference it ("Too many links"): the init container is re-running in a pod that is already configured. Not a node problem.',
    remediation: ['Delete the pod so it gets a fresh network namespace', 'Upgrade to a mesh version whose init removes jump rules before chains'],
    source: 'https://github.com/linkerd/linkerd2/issues/3563; https://github.com/linkerd/linkerd2-proxy-init/pull/4',
  },
  {
    id: 'mesh-chain-not-found',
    category: 'config-error',
    nodeProblem: false,
    priority: 35,
    // iptables-nft says "Couldn't find target" (<= 1.8.x) or "Chain 'X' does not exist" where legacy says "Couldn't load target".
    // (lower-case user chains too: `fabedge-nat-outgoing`; extensionKnown keeps real targets out)
    patterns: [/Couldn't (?:load|find) target [`'"](?<chain>[A-Za-z][A-Za-z0-9_-]{0,60})['`"]?/, /\bChain '(?<chain>[A-Za-z0-9_-]{1,60})' does not exist/],
    derive: 'none',
    when: { extensionKnown: false, backendConflict: false },
    explanation:
      '{chain} is not an xtables target but a chain (the mesh\'s own, or another tool\'s) that does not exist in this table and backend: a rule jumped to it before it was created, after cleanup removed it, or it lives in the other iptables backend. Not a missing kernel module.',
    remediation: ['Check that the mesh versions of the injector and the init image match', 'Delete the pod to retry from a clean network namespace'],
    source: 'https://github.com/linkerd/linkerd2-proxy-init/pull/4; https://github.com/istio/istio/pull/53153',
  },
  {
    id: 'no-chain-target-match-cleanup',
    category: 'config-error',
    nodeProblem: false,
    priority: 25,
    patterns: [/(?:ip6?tables(?:-(?:legacy|nft))?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?|iptables-restore): No chain\/target\/match by that name/],
    derive: 'none',
    when: { previousCommand: /\s-[FXD]\s/ },
    explanation:
      'A cleanup step flushed or deleted a chain that does not exist yet; this is expected on a fresh pod and is not the failure.',
    remediation: ['Look further in the log for the failing command; if none, the init container\'s exit came from elsewhere'],
    source: 'https://github.com/linkerd/linkerd2-proxy-init/pull/4; https://github.com/linkerd/linkerd2/issues/4758',
  },
  {
    id: 'istio-validation-failed',
    category: 'config-error',
    nodeProblem: false,
    priority: 42,
    patterns: [
      /iptables validation failed; workload is not ready for Istio/,
      /Error connecting to 127\.0\.0\.6:15002: [^\n]{0,120}connection refused/,
      /\berror\s{1,8}validation timeout\b/,
    ],
    derive: 'none',
    context: { exitCodes: [126], containers: /^istio-validation$/, labels: { 'cni.istio.io/uninitialized': 'true' } },
    explanation:
      'istio-validation found that traffic is not redirected: the Istio CNI plugin did not set up this pod\'s rules (it was not installed or ready on the node when the pod started, or kubelet does not run it). Exit code 126 is Istio\'s validation error.',
    remediation: [
      'Check istio-cni-node on this node: kubectl -n istio-system logs -l k8s-app=istio-cni-node --field-selector spec.nodeName=<node>',
      'Check the CNI paths match kubelet\'s (values.cni.cniBinDir / cniConfDir) and that the plugin is chained into the active conflist',
      'Delete the pod once istio-cni-node is ready (or enable cni.repair.deletePods=true)',
      'If the CNI log shows an iptables error, diagnose that log: mesh-preflight diagnose <file>',
    ],
    source: 'https://github.com/istio/istio/issues/21266; https://github.com/istio/istio/issues/33986; istio/istio tools/istio-iptables/pkg/cmd/root.go (ValidationErrorCode 126); https://istio.io/latest/docs/ops/diagnostic-tools/cni',
  },
  {
    id: 'linkerd-network-validator-failed',
    category: 'config-error',
    nodeProblem: false,
    priority: 42,
    patterns: [
      /Failed to validate networking configuration\. Please ensure iptables rules are rewriting traffic as expected/,
      /Unable to connect to validator\. Please ensure iptables rules are rewriting traffic as expected/,
    ],
    derive: 'none',
    context: { exitCodes: [95], containers: /^linkerd-network-validator$/ },
    explanation:
      'linkerd-network-validator found traffic is not redirected to the proxy: linkerd-cni did not configure this pod (not ready on the node when the pod started, wrong CNI conf dir, or another CNI overwrote the chain). Exit code 95 is the validator\'s failure code.',
    remediation: [
      'Check the linkerd-cni pod on this node and its install logs (destCNINetDir / destCNIBinDir must match kubelet\'s)',
      'Enable the repair controller (repairController.enabled=true) or delete the pod once linkerd-cni is ready',
    ],
    source: 'https://github.com/linkerd/linkerd2/issues/11250; https://github.com/linkerd/linkerd2/issues/11597; https://github.com/linkerd/linkerd2-proxy-init/commit/673650bcae0446fb599dfaffde695d34dcb766fa (exit code 95)',
  },
  {
    id: 'init-bad-flag',
    category: 'config-error',
    nodeProblem: false,
    priority: 40,
    patterns: [
      /^(?:\S{1,40}\s{1,8}error\s{1,8})?Error: unknown (?:shorthand )?flag: /,
      // pflag without cobra, and Go's flag package; also inside a wrapper's or logger's message
      /(?:^|: |\t)unknown (?:shorthand )?flag: -{1,2}[A-Za-z0-9][\w-]{0,60}(?:$|["\s])/,
      /(?:^|: |\t)flag provided but not defined: -{1,2}[A-Za-z0-9][\w-]{0,60}(?:$|["\s])/,
      /^Error: invalid argument "[^"\n]{0,200}" for "[^"\n]{1,80}" flag/,
      // linkerd proxy-init's own flag checks (proxy-init/cmd/root.go)
      /--(?:firewal|firewall)-bin-path and firewall-save-bin-path are no longer supported/,
      /--(?:iptables-mode|firewall-bin-path) valid values are only /,
      /--(?:incoming|outgoing)-proxy-port must be a valid TCP port number/,
      /\S{1,60} is not a valid CIDR address/,
      /\binvalid port configuration of "[^"\n]{0,120}"/,
      // istio-cni's checks of the pod's traffic annotations (cni/pkg/plugin/sidecar_redirect.go)
      /redirect failed due to bad params: /,
      /annotation value error for value /,
      /\binterceptionMode invalid: /,
      // kuma's transparent-proxy flag parsing (pkg/transparentproxy/config)
      /failed validation: value '[^'\n]{0,60}', is not valid uint16/,
    ],
    derive: 'none',
    explanation:
      'The init command (or the CNI plugin acting for it) was given a flag or value it does not accept: a pod annotation or mesh setting is malformed, or the injector template and the proxy/init image are different mesh versions.',
    remediation: [
      'Fix the value the message names (pod annotations such as traffic.sidecar.istio.io/* or config.linkerd.io/skip-*-ports, or the Helm value behind them)',
      'Make the injector (istiod / linkerd proxy-injector) and the proxy/init image the same version, then re-inject the workload',
    ],
    source:
      'https://github.com/istio/old_issues_repo/issues/141; https://github.com/istio/istio/issues/14389; linkerd/linkerd2-proxy-init proxy-init/cmd/root.go (flag validation); ' +
      'istio/istio cni/pkg/plugin/sidecar_redirect.go (annotation checks); kumahq/kuma pkg/transparentproxy/config/config.go (port validation)',
  },
  {
    id: 'init-usage-dump',
    category: 'config-error',
    nodeProblem: false,
    // Lowest of the mesh readings: proxy-init (cobra, no SilenceUsage) prints its usage after ANY
    // error, node errors included (linkerd2#8596), so any node signature in the same log wins.
    priority: 12,
    patterns: [
      // pflag's flag listing: `  -p, --incoming-proxy-port int      Port to redirect incoming traffic (default -1)`
      /^\s{2,8}(?:-[a-zA-Z], )?--[a-z][A-Za-z0-9-]{1,60} (?:int|ints|uint|uint16|string|strings|stringSlice|stringArray|intSlice|bool|duration)\s{2,}[A-Z]/,
      /^\s{2,8}-h, --help\s{2,}help for (?:proxy-init|istio-iptables|pilot-agent|linkerd2-proxy-init)\b/,
    ],
    derive: 'none',
    when: { elsewhere: /\b(?:proxy-init|linkerd-init|istio-iptables|istio-init|pilot-agent)\b/ },
    explanation:
      'The mesh init command printed its usage, which it does when it returns an error: a value or option from the injected arguments (the annotation or Helm value that set them) failed, and the log shows no node-side error (module, table, backend, privileges). The line just above the usage text names the failing step.',
    remediation: [
      'Get the full log of the failed run: kubectl logs <pod> -c linkerd-init --previous (the error is printed before the usage)',
      'Compare the init container\'s args with the mesh version\'s documented flags; remove or fix the option added last (e.g. a close-wait timeout)',
    ],
    source:
      'linkerd/linkerd2-proxy-init proxy-init/cmd/root.go (cobra command without SilenceUsage; --timeout-close-wait-secs runs sysctl and returns its error); ' +
      'https://github.com/linkerd/linkerd2/issues/8596 (Error: exit status 1 / Usage: after a node error)',
  },
  {
    id: 'kernel-rejected-rule',
    category: 'config-error',
    nodeProblem: false,
    priority: 32,
    // EINVAL from the kernel's checkentry: the extension exists (a missing one is ENOENT) but the rule
    // puts it where it is not allowed (TPROXY in nat, owner in PREROUTING, DNAT in filter); dmesg says
    // which, the init container cannot read it.
    patterns: [
      /\bip6?tables(?:-(?:legacy|nft))?(?:-restore)?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?: Invalid argument\. Run [`'"]dmesg['`"] for more information/,
      /\bRULE_(?:APPEND|INSERT|REPLACE) failed \(Invalid argument\)/,
    ],
    derive: 'none',
    explanation:
      'The kernel rejected a rule as invalid (EINVAL): the match or target exists but is used in a table, chain or protocol where it is not allowed. A rule-generation or configuration problem, not a missing module; the node\'s dmesg names the rule ("x_tables: ... only valid in ...").',
    remediation: [
      'Read the reason on the node: dmesg | grep x_tables',
      'Compare the failing rule with the mesh version\'s documented rules; custom rules or an init image from another mesh version are the usual cause',
    ],
    source: 'https://github.com/aabc/ipt-netflow/issues/243 (RULE_APPEND failed (Invalid argument): a target put in the wrong table); linux net/netfilter/x_tables.c (xt_check_target: "only valid in %s table, not %s")',
  },
  {
    id: 'no-api-server-config',
    category: 'config-error',
    nodeProblem: false,
    priority: 30,
    // client-go outside a pod (or in one without the service env) has no API server to talk to: the
    // component was started where it was not meant to run (an edge node, a host service).
    patterns: [
      /unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/,
      /invalid configuration: no configuration has been provided/,
    ],
    derive: 'none',
    explanation: 'The component found no Kubernetes API configuration (no in-cluster service environment, no kubeconfig), so it stopped before touching the node\'s network: it runs where it was not meant to, or without its kubeconfig.',
    remediation: ['Schedule it only where the API server is reachable from pods (node selector / affinity), or give it a kubeconfig (--kubeconfig)'],
    source: 'kubernetes/client-go rest/config.go (ErrNotInCluster) and tools/clientcmd (ErrEmptyConfig); https://github.com/kubeedge/kubeedge/issues/4623',
  },
  {
    id: 'control-plane-unreachable',
    category: 'config-error',
    nodeProblem: false,
    // Lowest of the specific readings: any node finding in the same log wins over a refused connection.
    priority: 30,
    patterns: [
      /config not received from (?:Pilot|XDS server) \(is (?:Pilot|XDS server|Istiod) running\?\)/,
      // The CNI node agent the plugin and ztunnel talk to (istio cni/pkg/plugin, ztunnel src/inpod/workloadmanager.rs)
      /istio-cni cmdAdd failed to contact node Istio CNI agent/,
      /failed to connect to the Istio CNI node agent over [^\n]{0,200}is the node agent healthy/,
      /maybe a NetworkPolicy is blocking HBONE port 15008/,
      // ztunnel cannot find the CNI node agent's socket: istio-cni is not installed or not healthy on the node.
      /failed to connect to server "[^"\n]{0,120}ztunnel\.sock": [^\n]{0,80}(?:NotFound|ConnectionRefused|No such file or directory|Connection refused)/,
      // Go's net errors, whatever the port: istiod 15010-15012, Consul agent 8500/8502, Linkerd 8080/8086, kuma-cp 5678.
      /\bdial tcp \S{3,120}: (?:connect: connection refused|i\/o timeout|connect: no route to host|connect: connection timed out|connect: network is unreachable)/,
      /\bdial tcp: lookup \S{1,200}(?: on \S{1,80})?: (?:no such host|server misbehaving|i\/o timeout|Temporary failure in name resolution)/,
      /failed calling webhook "[a-z.-]{0,60}sidecar-injector\.istio\.io"/,
    ],
    derive: 'none',
    explanation:
      'The init container could not reach the mesh control plane or an agent it depends on (istiod, the Consul client agent, a Linkerd or Kuma control-plane service, or DNS for them): the service is down, not listening where the pod was told, or blocked by policy. The node\'s kernel and iptables are not implicated.',
    remediation: [
      'Check the control-plane pods and endpoints the log names (e.g. kubectl -n istio-system get pods,endpoints istiod; the Consul client DaemonSet on this node)',
      'Check the address and port the injector gave the pod, and network policies between the pod and that service',
    ],
    source:
      'https://github.com/istio/istio/issues/21812; https://github.com/istio/istio/issues/17162; ' +
      'https://github.com/hashicorp/consul/issues/11792 and https://github.com/hashicorp/consul-k8s/issues/27 (Consul agent on :8500 refused); Go net package error texts (dial tcp, lookup ... no such host)',
  },
  {
    id: 'cni-config-not-found',
    category: 'config-error',
    nodeProblem: false,
    priority: 31,
    // Chained CNI install waits for the primary plugin's conflist in the dir it was told to watch.
    patterns: [
      /cannot find existing CNI network config: no (?:valid )?networks found in \S{1,200}/,
      /Waiting for CNI network config file to be written in \S{1,200}/,
      /CNI config file \S{1,200} does not exist\. Waiting for file to be written/,
      // linkerd-cni's install-cni.sh
      /No active CNI configuration files found/,
      /\S{1,200} is non-writeable, failure/,
      // istio install-cni's hint after a read-only bin dir (cni/pkg/install/binaries.go)
      /some Kubernetes environments require customization of the CNI directory/,
      // a CNI plugin binary missing from the directories the runtime searches (containernetworking/cni libcni)
      /failed to find plugin "[^"\n]{1,60}" in path/,
      // kuma-cni's installer check of the chained conflist (app/cni install)
      /chained plugin config file does not contain \S{1,60} plugin/,
    ],
    derive: 'none',
    explanation:
      'The mesh CNI installer found no primary CNI configuration in the directory it watches: the CNI directories it was given are not the ones this cluster\'s kubelet uses (MicroK8s, k3s, OpenShift and some managed clusters keep them elsewhere), or the primary CNI is not installed yet.',
    remediation: [
      'Find the kubelet\'s CNI dirs on the node (e.g. ps -ef | grep kubelet for --cni-conf-dir; MicroK8s: /var/snap/microk8s/current/args/cni-network; k3s: /var/lib/rancher/k3s/agent/etc/cni/net.d)',
      'Set them in the mesh (Istio: values.cni.cniConfDir / cniBinDir; Linkerd: destCNINetDir / destCNIBinDir) and restart the CNI DaemonSet',
    ],
    source: 'https://github.com/istio/istio/issues/50063 (MicroK8s CNI paths); istio/istio cni/pkg/install (install.go: "Waiting for CNI network config file to be written in %v..."; binaries.go hint); linkerd/linkerd2-proxy-init cni-plugin/deployment/scripts/install-cni.sh ("No active CNI configuration files found", "is non-writeable, failure"); https://istio.io/latest/docs/ambient/install/platform-prerequisites/ (MicroK8s CNI paths)',
  },
  {
    id: 'modprobe-empty-name',
    category: 'config-error',
    nodeProblem: false,
    // modprobe called with an empty name (an unset variable in a script or an Ansible loop) says
    // "Module  not found": it names no module, so the kernel is not implicated.
    priority: 51,
    patterns: [/modprobe: FATAL: Module {1,2}not found in directory \/\S+/],
    derive: 'none',
    explanation: 'modprobe was called without a module name (an empty variable in the script or playbook that runs it); nothing says a module is missing.',
    remediation: ['Fix the script or playbook so it passes the module name (e.g. br_netfilter), then run it again'],
    source: 'kmod tools/modprobe.c ("Module %s not found in directory %s"); https://pastebin.com/yshkYqTy (an Ansible modprobe task with an empty name)',
  },
  {
    id: 'conntrack-limit-in-nested-netns',
    category: 'config-error',
    nodeProblem: false,
    // Above the generic read-only /proc/sys reading (62): the pod is privileged, the key is the problem.
    priority: 63,
    // kube-proxy raises nf_conntrack_max at start; since kernel 5.12 the global conntrack limits are
    // read-only outside the init network namespace, so a kube-proxy in a nested node (kind, minikube's
    // docker driver, k3d) is refused however privileged it is.
    patterns: [/open \/proc\/sys\/net\/netfilter\/nf_conntrack_max: permission denied/],
    derive: 'none',
    explanation:
      'kube-proxy tried to raise nf_conntrack_max from a network namespace that is not the host\'s (a node running in a container): the kernel keeps that limit read-only there, so the setting, not the node\'s modules or the pod\'s privileges, is the problem.',
    remediation: [
      'Tell kube-proxy to leave the conntrack limit alone: conntrack.maxPerCore: 0 in its KubeProxyConfiguration (kind and minikube do this)',
      'Set the limit on the real host instead (sysctl -w net.netfilter.nf_conntrack_max=...)',
    ],
    source: 'https://github.com/kubernetes/minikube/issues/11418 (kernel 5.12.2, fixed by maxPerCore 0); kubernetes/kubernetes cmd/kube-proxy/app/conntrack.go',
  },
  {
    id: 'lib-modules-not-mounted',
    category: 'config-error',
    nodeProblem: false,
    priority: 29,
    // kube-proxy reads modules.builtin to see what is built in; inside a container without the host's
    // /lib/modules mounted it cannot, says so, and the kernel is not the question.
    patterns: [/Failed to read file \/lib\/modules\/\S{1,120}\/modules\.builtin with error [^\n]{0,200}no such file or directory/],
    derive: 'none',
    explanation:
      'The component runs in a container that does not have the host\'s /lib/modules mounted, so it cannot see which modules the kernel has; the message is about the pod\'s mounts, not the kernel.',
    remediation: ['Mount the host\'s /lib/modules read-only into the container (hostPath), as the component\'s own manifests do', 'Then check the kernel itself with mesh-preflight check on the node'],
    source: 'kubernetes/kubernetes pkg/proxy/ipvs/proxier.go ("Failed to read file %s with error %v. You can ignore this message when kube-proxy is running inside container without mounting /lib/modules"); https://github.com/siderolabs/talos/issues/766',
  },
  {
    id: 'no-chain-for-plain-rule',
    category: 'config-error',
    nodeProblem: false,
    priority: 26,
    // Legacy iptables' ENOENT for a rule that uses no match or target module: the chain it is added to
    // (or jumps to) does not exist, e.g. DOCKER-USER on a host where Docker never ran.
    patterns: [/(?:ip6?tables(?:-(?:legacy|nft))?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?|iptables-restore): No chain\/target\/match by that name/],
    derive: 'none',
    when: { previousCommand: /\s-[AI]\s/, ruleWithoutExtension: true },
    explanation:
      'The rule uses no kernel extension, so what is missing is a chain: the chain the rule is added to, or jumps to, does not exist (not created yet, created by a tool that is not running here, or flushed by a firewall reload). The node\'s kernel is fine.',
    remediation: ['Create the chain first, or start the tool that owns it (e.g. Docker for DOCKER and DOCKER-USER); after a firewall reload, restart that tool so it re-creates its chains'],
    source: 'https://github.com/canonical/setup-lxd/issues/19 (iptables -I DOCKER-USER without Docker); https://github.com/travis-ci/travis-ci/issues/4778 (DOCKER chain missing)',
  },
  {
    id: 'builtin-verdict-read-as-chain',
    category: 'config-error',
    nodeProblem: false,
    // Above the nft and chain readings of "Chain 'X' does not exist" (35-37).
    priority: 39,
    // RETURN, ACCEPT and DROP are verdicts every iptables knows (libxt_standard): read as a chain, the
    // iptables install itself is broken (its extension libraries not shipped with it), not the kernel.
    patterns: [/\bChain '(?<chain>RETURN|ACCEPT|DROP)' does not exist/, /Couldn't load target [`'"](?<chain>standard|RETURN|ACCEPT|DROP)['`"]/],
    derive: 'none',
    explanation: 'iptables did not recognise the built-in verdict {chain}: its own extension libraries (libxt_standard and the rest, in XTABLES_LIBDIR) are missing from the image or initramfs it runs from. The kernel is not involved.',
    remediation: ['Ship the iptables extension libraries with the binary (e.g. /usr/lib/xtables or /usr/lib/<arch>/xtables), or set XTABLES_LIBDIR to where they are'],
    source: 'https://github.com/darkrain42/tailscale-initramfs/pull/3 (Chain \'RETURN\' does not exist: libxt_* missing from the initramfs)',
  },
  {
    id: 'nft-syntax-error',
    category: 'config-error',
    nodeProblem: false,
    priority: 22,
    // nft's parser rejecting the ruleset text: the generator (a firewall tool, a package's snippet) wrote
    // something nft does not accept; the kernel never saw it.
    patterns: [/\bError: syntax error, unexpected [a-z'{}()\[\]$@;,.:-]{1,40}/],
    derive: 'none',
    explanation: 'nft could not parse the ruleset it was given (a syntax error): the tool or package that generated the rules wrote something invalid. The node\'s kernel is not involved.',
    remediation: ['Fix (or update) the tool or package that generated the ruleset; nft -c -f FILE checks a file without applying it'],
    source: 'https://github.com/openwrt/openwrt/issues/9927 (fw4 template typo); https://github.com/mossdef-org/https-dns-proxy/issues/7 (a chain outside any table)',
  },
  {
    id: 'already-exists-or-in-use',
    category: 'config-error',
    nodeProblem: false,
    priority: 15,
    // EEXIST / EBUSY on network objects the tool itself adds or removes: a route, address or link that is
    // already there (a subnet clash, a leftover), an ipset still referenced by a rule. The kernel is fine.
    patterns: [
      /^RTNETLINK answers: File exists\s*$/,
      /\bipset v\d+(?:\.\d+){1,2}: Set cannot be destroyed: it is in use by a kernel component/,
      /\bipset v\d+(?:\.\d+){1,2}: Set cannot be created: set with the same name already exists/,
    ],
    derive: 'none',
    explanation:
      'The network object the tool adds already exists, or the one it removes is still in use (a route to a subnet the node already reaches, a leftover from an earlier run, an ipset a rule still references). The configuration, not the node, has to change.',
    remediation: ['Remove the leftover (ip route / ip addr / ip link), or change the configuration that overlaps (e.g. a VPN\'s AllowedIPs covering the local LAN)', 'For an ipset in use: delete the iptables rules that reference it first'],
    source: 'https://github.com/MichaIng/DietPi/issues/3624 (wg-quick: ip -4 route add ... RTNETLINK answers: File exists); netfilter/ipset lib/errcode.c ("Set cannot be destroyed: it is in use by a kernel component"); https://github.com/weaveworks/weave/issues/2934 (Set cannot be created: set with the same name already exists)',
  },
  {
    id: 'docker-chain-flushed',
    category: 'config-error',
    nodeProblem: false,
    // Above the missing-extension reading (52) of the rule dockerd quotes: its DNAT/ACCEPT targets are
    // everywhere Docker runs at all; the chain is what went missing.
    priority: 53,
    // dockerd adds its port rules to its own DOCKER chain; a firewall reload (firewalld, iptables
    // service) after dockerd started removes the chain, and every later port mapping fails.
    patterns: [
      /driver failed programming external connectivity on endpoint [^\n]{0,400}?iptables failed: iptables (?:--wait )?-t nat -A DOCKER\b/,
      /iptables failed: iptables (?:--wait )?(?:-t (?:nat|filter) )?-[AI] DOCKER\s[^\n]{0,600}?No chain\/target\/match by that name/,
    ],
    derive: 'none',
    explanation:
      'Docker could not add a port rule to its DOCKER chain: the chain was removed after dockerd started (a firewalld or iptables service reload flushes it). The kernel is fine.',
    remediation: ['Restart Docker to recreate its chains (systemctl restart docker)', 'Reload the firewall before Docker starts, or let firewalld manage the docker zone'],
    source: 'https://tulingxueyuan.cn/tlzx/jsp/1771.html; moby/moby libnetwork iptables ("driver failed programming external connectivity on endpoint")',
  },
  {
    id: 'mesh-image-binary-missing',
    category: 'config-error',
    nodeProblem: false,
    priority: 31,
    // Go's exec.LookPath error: the mesh image does not ship the binary its settings ask for.
    // JSON loggers escape the quotes (`exec: \\"nft\\"`).
    patterns: [
      /exec: \\?"(?<binary>ip6?tables[a-z-]{0,20}|nft|modprobe|ipset)\\?": executable file not found in \$PATH/,
      // wrappers that drop the name: kube-proxy's `error getting ipset version, error: executable file not found`,
      // go-iptables' `error creating chain "X": executable file not found in $PATH`
      /error getting (?<binary>ipset|iptables|ip6tables) version, error: executable file not found/,
      /could not get (?<binary>iptables|ip6tables|ipset|nft) version: [^\n]{0,200}?exe?cutable file not found/,
      // a binary built without the firewall backend the node's mode picks
      /\b(?<binary>iptables|nftables) disabled in build\b/,
      /error (?:creating|flushing|deleting|checking|listing) chains? [^\n]{0,80}?: executable file not found in \$PATH/,
    ],
    derive: 'none',
    explanation:
      'The component\'s image (or the host it runs on) has no {binary} binary: the setting that selects it (e.g. native nftables mode) does not fit this image flavour (distroless images ship fewer tools), or the package was never installed. The kernel is not involved.',
    remediation: ['Turn the option off or use the image flavour that ships {binary} (Istio: non-distroless images with values.global.nativeNftables)', 'Re-create the affected pods'],
    source: 'https://github.com/istio/istio/issues/57333 (nativeNftables with distroless images); Go os/exec LookPath ("exec: %q: executable file not found in $PATH"); https://github.com/easzlab/kubeasz/issues/1251 (kube-proxy IPVS without the ipset package); https://github.com/kubeedge/kubeedge/issues/3128 (cloudcore image without iptables); https://github.com/tailscale/tailscale/issues/13440 (iptables disabled in build)',
  },
  {
    id: 'control-plane-refused',
    category: 'config-error',
    nodeProblem: false,
    priority: 29,
    // The control plane answered but refused or does not know the workload: ACLs, tokens, certificates,
    // a registration that never happened. Consul's connect-inject init retries these until it times out.
    patterns: [
      /\bUnexpected response code: (?:401|403|404|500)\b/,
      /\bACL not found\b/,
      /\bUnable to find registered (?:services|gateway)\b/,
      // pilot-agent's readiness reasons when istiod answered but the config does not fit (pilot/cmd/pilot-agent/status/ready/probe.go)
      /config received from XDS server, but was rejected/,
      /envoy missing listener for inbound application port/,
      // flannel: the node has no spec.podCIDR (controller-manager without --allocate-node-cidrs / a CIDR)
      /failed to acquire lease: node "[^"\n]{1,120}" pod cidr not assigned/,
      /\bTimed out waiting for service registration\b/,
      /rpc error: code = (?:Unauthenticated|PermissionDenied) /,
      /\bx509: certificate (?:signed by unknown authority|has expired|is not (?:yet )?valid|is valid for)/,
      // The mesh's CNI or init asks the API server about the pod with a service account RBAC does not allow.
      /is forbidden: User "system:serviceaccount:[^"\n]{1,200}" cannot [a-z]{2,20} resource "[a-z.]{1,60}"/,
    ],
    derive: 'none',
    explanation:
      'The init container reached the mesh control plane, but it refused or did not know this workload (an ACL token or certificate it does not accept, or a service registration that never happened). A control-plane configuration problem; the node is not implicated.',
    remediation: [
      'Check the control-plane side for this pod: its service registration (Consul: the endpoints controller in consul-connect-injector logs), its ACL token / auth method, and its certificates',
      'Re-create the pod once the control plane knows it',
    ],
    source:
      'https://github.com/hashicorp/consul-helm/issues/1041 (403 ACL not found, then Unable to find registered services); https://github.com/hashicorp/consul-k8s/issues/771 (Timed out waiting for service registration); ' +
      'hashicorp/consul api/api.go ("Unexpected response code: %d (%s)"); Go crypto/x509 ("x509: certificate is valid for %s, not %s"); kubernetes RBAC ("is forbidden: User %q cannot %s resource %q")',
  },
  {
    id: 'nft-cli-object-missing',
    category: 'config-error',
    nodeProblem: false,
    // Below nft-cli-expression-enoent (43), which takes the line when the statement names an expression
    // module: without one, ENOENT is a table, chain, set or rule position the ruleset does not have.
    priority: 42,
    patterns: [/Error: Could not process rule: No such file or directory/i],
    derive: 'none',
    explanation:
      'nft refused a statement because what it refers to does not exist in the ruleset: a table, chain, set, or (for `insert ... index N`) a rule position beyond the chain\'s end. The rules the mesh generated do not fit together; the kernel has what it needs.',
    remediation: [
      'Read the statement nft printed under the error (the ^^^ marks the missing object) and compare with the pod\'s interception annotations (e.g. an empty includeInboundPorts)',
      'Retry with the mesh\'s iptables mode or explicit port annotations, and report the generated ruleset to the mesh if it is a generation bug',
    ],
    source: 'https://github.com/firewalld/firewalld/issues/1184 (Error: No such file or directory; did you mean chain ...); netfilter nftables src/mnl.c (netlink ENOENT for a missing object)',
  },
  {
    id: 'iptables-bad-parameter',
    category: 'config-error',
    nodeProblem: false,
    priority: 33,
    // xtables' parameter problems: the rule's own values are wrong (an annotation's port or CIDR, a
    // mesh template bug), checked in userspace before the kernel is asked anything.
    patterns: [
      // (the opening backtick is often lost to markdown)
      /(?:ip6?tables(?:-legacy|-nft)?(?:-restore)?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?: )?host\/network [`'"]?[^'`"\n]{0,200}['`"] not found/,
      // a CIDR with a stray quote from a template or an env file
      /ip6?tables(?:-restore)?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?: invalid mask [`'"][^\n]{0,40}['`"] specified/,
      /Error: any valid prefix is expected rather than "[^"\n]{0,80}"/,
      // multiport takes at most 15 ports (libxt_multiport)
      /ip6?tables(?:-restore)?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?: too many ports specified/,
      /invalid port\/service [`'"][^'`"\n]{0,120}['`"] specified/,
      // an empty or over-long name in the rule the tool generated
      /Invalid target name \((?:too short|[^)\n]{0,40}max)\)|Invalid target name [`'"][^'`"\n]{0,60}['`"] \(\d+ chars max\)/,
      // nft userspace asserting on a ruleset it cannot encode: the generator's bug, not the kernel
      /\bnft: [a-z_]+\.c:\d+: [a-z_]+: Assertion [`'][^\n]{1,200}' failed/,
      /\bBad argument [`'"][^'`"\n]{0,120}['`"]/,
      /\bIndex of (?:insertion|replacement|deletion) too big/,
      /\binvalid (?:mask|port range|portrange|uid|gid|protocol) [`'"][^'`"\n]{0,120}['`"]? specified/i,
      /\bPort "[^"\n]{0,120}" does not resolve to anything/,
      /\bPort [`'"][^'`"\n]{0,60}['`"] not valid/,
      // Go's net.SplitHostPort on an address the mesh was given (an IPv6 host IP without brackets)
      /\baddress \S{1,120}: (?:too many colons in address|missing port in address)/,
      /\bmultiple -[a-zA-Z] flags not allowed/,
    ],
    derive: 'none',
    explanation:
      'iptables rejected a value in the rule itself (an address, port, uid or argument), before asking the kernel anything: the mesh was given a bad value (an annotation such as excludeOutboundIPRanges / excludeInboundPorts, a Helm value, or a template bug). Not a node problem.',
    remediation: [
      'Find the value in the error and correct the pod annotation or mesh setting that supplied it (Istio: traffic.sidecar.istio.io/*; Linkerd: config.linkerd.io/skip-*-ports)',
      'Re-create the pod after the fix',
    ],
    source:
      'https://github.com/mumoshu/kube-magic-ip-address/issues/4 (invalid port/service from a Helm value); https://github.com/binhex/arch-sabnzbdvpn/issues/45 (host/network `\' not found); ' +
      'https://github.com/dperson/openvpn-client/issues/77 (Port "53" does not resolve to anything); netfilter iptables libxtables/xtables.c (xtables_ipparse_any: "host/network `%s\' not found"; xtables_parse_port: "invalid port/service `%s\' specified"); iptables/xshared.c ("Bad argument `%s\'"); libiptc TC_STRERROR (E2BIG: Index of insertion too big); ' +
      'https://github.com/submariner-io/submariner/pull/3023 (Invalid target name (too short)); https://github.com/kubernetes/kubernetes/issues/140951 (nft assertion on kube-proxy\'s IPv6 DNAT rule); netfilter iptables extensions/libxt_multiport.c ("too many ports specified"); https://github.com/cloudnativelabs/kube-router/issues/25 and https://github.com/dperson/openvpn-client/issues/198 (invalid mask from a quoted CIDR)',
  },
];

/** Fallback: the failure is recognised but its cause is not stated by the message. */
export const genericSignatures: Signature[] = [
  {
    id: 'restore-line-failed',
    category: 'unknown',
    nodeProblem: false,
    priority: 15,
    patterns: [RESTORE_FAILED],
    derive: 'restore-line',
    explanation:
      'iptables-restore rejected line {line}{restoreLineQuoted} without saying why. Candidates are the extensions that line uses ({modules}); mesh-preflight check shows whether this node has them.',
    remediation: ['mesh-preflight check (compare the candidate modules with the node)', 'mesh-preflight check --probe runs the mesh\'s rules in a throwaway namespace and names the failing extension'],
    source: 'https://github.com/istio/istio/issues/19380; https://github.com/istio/istio/issues/22500',
  },
];
