/** Signatures of access problems: missing privileges, SELinux denials and the xtables lock. */
import type { Signature } from './types.ts';

export const accessSignatures: Signature[] = [
  {
    id: 'selinux-module-request-denied',
    category: 'selinux',
    nodeProblem: true,
    // A denial that names a module is SELinux first: loading the module alone would not help.
    priority: 95,
    patterns: [
      /avc: {1,3}denied {1,3}\{ module_request \}[^\n]*? kmod="(?<module>[^"\s]{1,64})"/,
      // loading the module file itself (modprobe as the container): the module is the file's base name
      /avc: {1,3}denied {1,3}\{ module_load \}[^\n]*? path="[^"\n]{0,200}\/(?<module>[A-Za-z0-9_-]{1,64})\.ko(?:\.[a-z]{2,4})?"/,
    ],
    explanation:
      'SELinux on the node denied the container\'s request to load {modules} (avc: denied module_request).',
    remediation: [
      'Preload the module on the node so no request is needed: modprobe {modules} && mesh-preflight fix',
      'Or allow it in policy (container-selinux update / a local module for module_request); check with ausearch -m avc -ts recent',
    ],
    source: 'https://github.com/openshift-metal3/dev-scripts/issues/703; https://github.com/cockpit-project/cockpit/issues/9261',
  },
  {
    id: 'setroubleshoot-denial',
    category: 'selinux',
    nodeProblem: true,
    priority: 93,
    // setroubleshoot's summary of an AVC (journal / sealert), when the raw AVC line is not in the paste.
    patterns: [/\bSELinux is preventing (?<path>\S{1,200}) from [a-z_, ]{1,60} access on /],
    derive: 'none',
    explanation: 'SELinux on the node denied {path} an access it needs (setroubleshoot\'s report of an AVC denial).',
    remediation: [
      'See the full denial: ausearch -m avc -ts recent, or sealert -a /var/log/audit/audit.log',
      'Update the policy packages (container-selinux, selinux-policy), or add the local module setroubleshoot suggests after reviewing it',
    ],
    source: 'setroubleshoot plugins ("SELinux is preventing %s from %s access on the %s %s."); https://github.com/k3s-io/k3s-selinux/issues/35',
  },
  {
    id: 'selinux-iptables-denied',
    category: 'selinux',
    nodeProblem: true,
    priority: 94,
    patterns: [
      /avc: {1,3}denied {1,3}\{[^}\n]{1,80}\}[^\n]*? comm="(?<comm>ip6?tables[\w-]{0,20}|xtables[\w-]{0,20}|nft|pilot-agent|proxy-init|istio-iptables)"/,
      // Android's logcat puts the process in the tag (`W/iptables(  218): ... avc: denied { create } ...`)
      /^[VDIWEF]\/(?<comm>ip6?tables|nft|ipset|ndc|netd)\(\s*\d+\):[^\n]{0,120}avc: {1,3}denied/,
    ],
    derive: 'none',
    explanation: 'SELinux on the node denied {comm} an operation it needs to program the pod\'s rules.',
    remediation: [
      'Find the denial: ausearch -m avc -ts recent | grep {comm}',
      'Fix the policy (update container-selinux, or set the init container\'s seLinuxOptions type to one allowed to use iptables, e.g. spc_t)',
    ],
    source: 'https://github.com/moby/moby/issues/28713; https://github.com/cockpit-project/bots/issues/2787; https://github.com/moby/moby/issues/41230',
  },
  {
    id: 'xtables-lock-held',
    category: 'xtables-lock',
    nodeProblem: true,
    // Worded like missing kernel support by istio-cni ("no loaded kernel support"): the lock wins.
    priority: 80,
    patterns: [
      /Another app is currently holding the xtables lock/,
      /Can't lock \/run\/xtables\.lock: Resource temporarily unavailable/,
      // EAGAIN from the lock with --wait given up (exit status 4), no mention of the lock at all.
      /\bip6?tables(?:-(?:legacy|nft))?(?:-(?:restore|save))?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?: Resource temporarily unavailable/,
      // kubernetes pkg/util/iptables (kube-proxy, kubelet): gave up waiting for /run/xtables.lock.
      /failed to acquire (?:old|new) iptables lock: timed out/,
    ],
    derive: 'none',
    explanation:
      'Another process on the node held /run/xtables.lock while the init container ran; the kernel is fine, the call gave up waiting.',
    remediation: [
      'Usually transient: delete the pod to retry',
      'If it repeats, find the holder on the node: fuser -v /run/xtables.lock (kube-proxy, a CNI or a firewall daemon in a loop)',
      'Prefer mesh versions that call iptables with -w (wait for the lock)',
    ],
    source: 'https://github.com/kubernetes/kubernetes/issues/57428; https://github.com/istio/istio/issues/58507; https://github.com/istio/cni/issues/23; https://github.com/kubernetes-sigs/kubespray/issues/3192; kubernetes/kubernetes pkg/util/iptables/iptables_linux.go (grabIptablesLocks); https://github.com/flannel-io/flannel/issues/933',
  },
  {
    id: 'xtables-lock-exit-4',
    category: 'xtables-lock',
    nodeProblem: true,
    // Legacy iptables exits 4 (RESOURCE_PROBLEM) when it cannot get /run/xtables.lock; wrappers that log
    // only the exit status hide the message. Above "Chain already exists" (45), which such a run leaves
    // behind. iptables-nft also exits 4 for every kernel error, so any nf_tables sign in the log rules it out.
    priority: 46,
    patterns: [
      /\bip6?tables\b[^\n]{0,400}?error="exit status 4"|error="exit status 4"[^\n]{0,400}?\bip6?tables\b/,
      // the status is the whole message (kube-proxy's canary check): nothing after it
      /\bip6?tables\b[^\n]{0,400}?: exit status 4\s*$/,
      // Python's subprocess (calico felix's start-of-day)
      /Command '\[['"]ip6?tables(?:-restore|-save)?['"][^\]\n]{0,400}\]' returned non-zero exit status 4\b/,
    ],
    derive: 'none',
    when: { nowhere: /\(nf_tables\)|iptables-nft|RULE_[A-Z]+ failed|Could not fetch rule set generation id|Permission denied|can't open lock file/ },
    explanation:
      'iptables exited with status 4, its "resource problem" code: with legacy iptables that is the xtables lock held by another process (the wrapper logged the status but not the message). Later "already exists" errors are leftovers of the failed run.',
    remediation: [
      'Usually transient: restart the pod',
      'If it repeats, find the holder on the node: fuser -v /run/xtables.lock (kube-proxy, a CNI or a firewall daemon in a loop); use versions that pass -w/--wait',
    ],
    source: 'netfilter iptables include/xtables.h (RESOURCE_PROBLEM = 4) and iptables/xshared.c (xtables_lock_or_exit exits with it); https://github.com/cilium/cilium/issues/8690 (exit status 4 read as the lock); https://github.com/projectcalico/felix/issues/368 (Python: returned non-zero exit status 4)',
  },
  {
    id: 'xtables-lock-file-denied',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 70,
    patterns: [/can't open lock file (?<path>\/\S{1,200}): (?:Permission denied|Read-only file system)/],
    derive: 'none',
    explanation:
      'The container could not open {path}: the mount is read-only or not writable for its user, or SELinux denies it.',
    remediation: [
      'Mount /run (or /run/xtables.lock) writable into the init container, run it as root',
      'On SELinux nodes check: ausearch -m avc -ts recent | grep xtables',
    ],
    source: 'https://github.com/moby/moby/issues/41230',
  },
  {
    id: 'permission-denied-not-root',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 75,
    // EPERM/EACCES is the kernel refusing the caller, never a missing module: these outrank every
    // table/extension guess (priority 75 > 60), whatever the wording around the errno.
    patterns: [
      /(?<family>ip6?tables)(?:-(?:legacy|nft))?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy|nf_tables)\))?)?: (?:can't initialize ip6?tables table [`'"](?<table>[a-z]+)['`"]?|Cannot initialize|Could not fetch rule set generation id): (?:Permission denied|Operation not permitted)/,
      // Quoted inline without the binary's prefix.
      /(?:^|\s)can't initialize ip6?tables table [`'"](?<table>[a-z]+)['`"]?: (?:Permission denied|Operation not permitted)/,
      // iptables 1.4-1.8 legacy and nft, and nft itself: "Permission denied (you must be root)", "Operation not permitted (you must be root)".
      /(?:Permission denied|Operation not permitted) \(you must be root\)/,
      /(?<binary>ip6?tables(?:-(?:legacy|nft))?(?:-(?:save|restore))?)\/\d+\.\d+(?:\.\d+)? Failed to initialize nft: (?:Permission denied|Operation not permitted)/,
      // libxtables' revision probe opens a raw socket first; without CAP_NET_RAW it fails with EPERM/EACCES.
      /Could not open socket to kernel: (?:Permission denied|Operation not permitted)/,
      /getsockopt failed strangely: Operation not permitted/,
      // ipset (kube-proxy, calico, kube-router) asks the kernel over netlink; EPERM without NET_ADMIN.
      /\bipset v\d+(?:\.\d+){1,2}: Kernel error received: Operation not permitted/,
      // iptables-legacy-save reads /proc/net/ip_tables_names, readable by root only.
      /Failed to list table names in \/proc\/net\/ip6?_tables_names: Permission denied/,
      /(?:netlink: Error: cache initialization failed|Error: Could not process rule): Operation not permitted/,
    ],
    derive: 'none',
    explanation:
      'The init container may not program iptables: it lacks root or CAP_NET_ADMIN/CAP_NET_RAW (pod securityContext, Pod Security admission, or a policy engine removed them). On SELinux nodes a denial shows the same text.',
    remediation: [
      'Give the init container NET_ADMIN and NET_RAW and run it as user 0 (Istio: do not override istio-init securityContext; Linkerd: proxyInit runAsRoot)',
      'Or install the mesh\'s CNI plugin so pods need no privileges (Istio CNI / linkerd-cni)',
      'If SELinux is enforcing, check ausearch -m avc -ts recent',
    ],
    source:
      'https://github.com/nforgeio/neonKUBE/issues/432; https://github.com/linkerd/linkerd2/issues/7938; https://github.com/linkerd/linkerd2/issues/7767; ' +
      'https://github.com/silarsis/personal_dev/issues/1 (v1.4.21 nat, you must be root); https://github.com/Homebrew/homebrew-core/issues/210503 (nf_tables generation id); ' +
      'https://github.com/ruped24/tor_ip_switcher/issues/3 (iptables/1.8.5 Failed to initialize nft: Permission denied); https://github.com/telemt/telemt/issues/845 (nft Operation not permitted (you must be root)); ' +
      'https://github.com/MarkusMcNugen/docker-sftp/issues/3 (getsockopt failed strangely); https://github.com/projectcalico/calico/issues/1176 (ipset: Kernel error received: Operation not permitted); https://github.com/htrgouvea/nipe/issues/62 (Could not open socket to kernel: Permission denied)',
  },
  {
    id: 'admission-denied-privileges',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 74,
    // The init container never ran: admission (Pod Security, OpenShift SCC, PSP) or the kubelet refused
    // the privileges the mesh's init container asks for. The node's kernel is not involved.
    patterns: [
      /violates PodSecurity "[a-z0-9:.-]{1,40}":[^\n]{0,600}?(?:NET_ADMIN|NET_RAW|capabilities|privileged|runAsNonRoot|runAsUser)/,
      /unable to validate against any security context constraint/,
      /unable to validate against any pod security policy/,
      /capabilities\.add: Invalid value: "NET_(?:ADMIN|RAW)"/,
      // GKE Autopilot's admission policy (Warden)
      /linux capabilit(?:y|ies) '[A-Z_,]{3,120}' on container '[^'\n]{1,120}' not allowed/,
      /container has runAsNonRoot and image will run as root/,
      /container's runAsUser breaks non-root policy/,
    ],
    derive: 'none',
    explanation:
      'The cluster refused the init container the privileges it needs (root, NET_ADMIN, NET_RAW): Pod Security admission, an OpenShift SCC, a PodSecurityPolicy or runAsNonRoot stopped it. The node is fine.',
    remediation: [
      'Allow the mesh\'s init container its capabilities in this namespace (Pod Security level privileged/baseline exemption, the SCC the mesh documents, e.g. anyuid or the mesh\'s own), or',
      'Install the mesh\'s CNI plugin (Istio CNI / linkerd-cni) so pods need no NET_ADMIN/NET_RAW',
    ],
    source:
      'https://github.com/openshift-labs/learn-katacoda/issues/1015 (istio-init refused NET_ADMIN by SCC); kubernetes pod-security-admission ("violates PodSecurity"); openshift apiserver-library-go SCC admission ("unable to validate against any security context constraint"); ' +
      'kubernetes pkg/kubelet/kuberuntime/security_context_others.go ("container has runAsNonRoot and image will run as root"); https://istio.io/latest/docs/setup/platform-setup/openshift/; https://github.com/istio/istio.io/pull/16266 (GKE Autopilot Warden: linux capability not allowed)',
  },
  {
    id: 'firewalld-not-authorized',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 64,
    // A CNI firewall plugin (or any tool) asking the host's firewalld over D-Bus, as a user polkit does not
    // allow (rootless containers): firewalld answers NOT_AUTHORIZED with the interface it refused.
    patterns: [/Not Authorized(?:\(uid\))?: org\.fedoraproject\.FirewallD1/i],
    derive: 'none',
    explanation: 'firewalld refused the request: the caller (a rootless runtime, or a container without the host\'s privileges) is not allowed to change the host firewall. The node\'s kernel is fine.',
    remediation: ['Run the runtime rootful, or configure the CNI firewall plugin to use its iptables backend (backend: iptables) instead of firewalld', 'Or grant the user the polkit permission for org.fedoraproject.FirewallD1.config'],
    source: 'https://github.com/containerd/nerdctl/issues/2818 (rootless nerdctl: CNI firewall plugin, Not Authorized(uid): org.fedoraproject.FirewallD1.config)',
  },
  {
    id: 'network-plumbing-eperm',
    category: 'insufficient-privileges',
    nodeProblem: false,
    // A fallback below every specific reading: EPERM is the kernel's answer to a missing capability
    // (CAP_NET_ADMIN, CAP_SYS_ADMIN for namespaces), not to a missing module; SELinux answers EACCES.
    priority: 18,
    patterns: [
      /\b(?:create|creating|add|adding|set|setting|set up|setup|enter|entering|configure|configuring|move|moving|delete|deleting)\b[^\n]{0,60}?\b(?:link|bridge|veth|netns|network namespace|route|address|interface|device|tun|tap|socket mark|SO_MARK|IP_TRANSPARENT|IP_FREEBIND)\b[^\n]{0,80}?: operation not permitted/i,
      /\bnetlink receive: operation not permitted/i,
      // NFQUEUE consumers (OpenSnitch, IDS) taking over a queue handler
      /\b(?:unbinding|binding|unbind|bind)\b[^\n]{0,60}?\bq(?:ueue)? handler\b[^\n]{0,80}?: operation not permitted/i,
      // transparent proxies and meshes marking or intercepting sockets: NET_ADMIN
      /\bsetsockopt\(?\s{0,2}(?:IP_TRANSPARENT|IPV6_TRANSPARENT|SO_MARK|IP_FREEBIND)\)?(?: failed)?: operation not permitted/i,
      /\bmount: permission denied \(are you root\?\)/,
    ],
    derive: 'none',
    explanation:
      'The kernel refused a network set-up step with "operation not permitted": the process lacks the capability for it (NET_ADMIN for links, routes and socket marks; SYS_ADMIN to enter a namespace or mount). The pod\'s security context decides this, not the node\'s kernel.',
    remediation: [
      'Give the container the capability it needs (securityContext.capabilities.add: [NET_ADMIN], or privileged for Docker-in-Docker and namespace work), or run it where the policy allows it',
    ],
    source:
      'containernetworking/plugins plugins/main/bridge/bridge.go ("failed to create bridge %q: %v"); vishvananda/netlink (netlink receive errors); busybox libbb/messages.c ("permission denied (are you root?)"); https://github.com/shadowsocks/shadowsocks-libev/issues/2783 (setsockopt IP_TRANSPARENT as a snap); https://github.com/evilsocket/opensnitch/issues/323 (unbinding the queue handler as a normal user)',
  },
  {
    id: 'privileged-port-bind-denied',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 40,
    // Binding below 1024 needs NET_BIND_SERVICE (or a lowered net.ipv4.ip_unprivileged_port_start): a
    // non-root proxy or gateway gets EACCES.
    patterns: [
      /cannot bind '[^'\n]{0,60}:(?:[1-9]\d{0,2}|10[01]\d|102[0-3])': Permission denied/,
      /\blisten (?:tcp|udp)[46]? [^\s]{0,60}:(?:[1-9]\d{0,2}|10[01]\d|102[0-3]): bind: permission denied/i,
    ],
    derive: 'none',
    explanation: 'The process may not listen on a port below 1024: it runs as non-root without NET_BIND_SERVICE. The pod\'s security context decides this, not the node\'s kernel modules.',
    remediation: ['Add the NET_BIND_SERVICE capability, or set the pod sysctl net.ipv4.ip_unprivileged_port_start=0, or listen on a port above 1023'],
    source: 'envoyproxy/envoy source/common/network/listen_socket_impl.cc ("cannot bind \'%s\': %s"); https://github.com/alibaba/higress/issues/1614 (non-root gateway on port 80)',
  },
  {
    id: 'selinux-denial-anywhere',
    category: 'selinux',
    nodeProblem: true,
    // Below every specific reading: an enforcing AVC denial pasted with the failure is the story when
    // nothing else in the log explains it (a CNI installer denied writing the host's bin dir).
    priority: 20,
    patterns: [/avc: {1,3}denied {1,3}\{[^}\n]{1,80}\}[^\n]{0,600}?scontext=[^\n]{0,300}?permissive=0/],
    derive: 'none',
    explanation: 'SELinux on the node denied an operation the component needs (see the AVC line): the policy or the file labels, not the kernel modules, stop it.',
    remediation: ['Relabel or fix the path the denial names (restorecon, the CNI directories\' container_file_t labels), or install the component\'s SELinux policy', 'Confirm with ausearch -m avc -ts recent'],
    source: 'https://github.com/SUSE/elemental/issues/529 (cilium CNI install: avc denied write on usr_t)',
  },
  {
    id: 'modprobe-without-sys-module',
    category: 'insufficient-privileges',
    nodeProblem: false,
    // Below the table readings (55-60): when a table also fails, the module it needed is the finding.
    priority: 40,
    // A container without CAP_SYS_MODULE cannot load anything: the module itself may be fine on the host,
    // which has simply not loaded it.
    patterns: [
      /modprobe: ERROR: could not insert '(?<module>[A-Za-z0-9_-]{1,64})': Operation not permitted/,
      /FATAL: Error inserting (?<module>[A-Za-z0-9_-]{1,64}) \([^)\n]{0,200}\): Operation not permitted/,
    ],
    explanation:
      'The container tried to load {modules} itself and may not (no CAP_SYS_MODULE, as it should be): load it on the node instead, where the kernel has it or not.',
    remediation: ['On the node: modprobe {modules}, and persist it (mesh-preflight fix); or mount /lib/modules and grant SYS_MODULE to a trusted DaemonSet only'],
    source: 'https://github.com/rook/rook/issues/1312 (modprobe rbd in an OpenShift pod: Operation not permitted); kmod libkmod (init_module EPERM)',
  },
  {
    id: 'dind-not-root',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 64,
    // docker:dind's entrypoint falls back to rootless mode when it is not uid 0; Docker-in-Docker needs
    // root and a privileged container, and its module probes in the same log are noise.
    patterns: [/attempting to run rootless dockerd but missing 'rootlesskit'/],
    derive: 'none',
    explanation:
      'The Docker-in-Docker container is not running as root, so its entrypoint tried rootless mode: DinD needs uid 0 and a privileged container; the platform or pod spec runs it as another user.',
    remediation: ['Run the dind container as root and privileged (securityContext: privileged: true, runAsUser: 0), or use the docker:dind-rootless image with its requirements'],
    source: 'docker-library/docker dockerd-entrypoint.sh (rootless fallback message); https://huggingface.co/spaces/karenmiranda/3 (runtime error of a docker:dind Space)',
  },
  {
    id: 'proc-sys-read-only',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 62,
    // An unprivileged container gets /proc/sys read-only: setting a net.* sysctl (route_localnet for
    // TPROXY, a conntrack timeout) fails there however the node is configured.
    patterns: [
      /\/proc\/sys\/\S{1,200}: (?:read-only file system|permission denied)/i,
      /sysctl: (?:error )?setting key [`'"][a-z0-9_.\/-]{1,120}['`"]: Read-only file system/,
      /sysctl: permission denied on key [`'"]?[a-z0-9_.\/-]{1,120}/,
    ],
    derive: 'none',
    explanation:
      'The container could not set a kernel parameter: /proc/sys is read-only (or the key is denied) in a container that is not privileged. The pod\'s securityContext decides this, not the node\'s kernel.',
    remediation: [
      'Run the init container privileged, or set the parameter through the pod\'s spec.securityContext.sysctls (unsafe sysctls must be allowed on the kubelet: --allowed-unsafe-sysctls)',
      'Or drop the option that needs the sysctl (e.g. a close-wait timeout, TPROXY interception)',
    ],
    source: 'https://github.com/bryopsida/wireguard-chart/issues/65; https://github.com/k3s-io/k3s/issues/89 (open /proc/sys/net/ipv4/conf/all/route_localnet: read-only file system); procps-ng sysctl.c ("setting key", "permission denied on key")',
  },
  {
    id: 'cni-agent-socket-denied',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 63,
    // The CNI node agent binds its unix sockets on a hostPath; without privileged (OpenShift, Istio
    // installed by a profile that drops it) the bind is refused.
    patterns: [/listen unix \/(?:var\/)?run\/(?:istio-cni|linkerd-cni|cilium|kuma-cni)\/\S{1,80}: bind: (?:permission denied|operation not permitted)/i],
    derive: 'none',
    explanation:
      'The CNI node agent could not open its socket on the host: its DaemonSet is not privileged, which this platform needs for hostPath sockets (OpenShift, SELinux-enforcing nodes).',
    remediation: [
      'Run the CNI DaemonSet privileged as the mesh documents for this platform (Istio on OpenShift: the openshift profile sets it)',
      'Then restart the CNI pods and the workloads that failed',
    ],
    source: 'https://github.com/istio/istio/issues/34222 and https://github.com/istio/istio/issues/54815 (istio-cni not privileged: bind: permission denied on /var/run/istio-cni/log.sock); Go net package ("listen unix %s: bind: permission denied")',
  },
  {
    id: 'node-proxy-capabilities',
    category: 'insufficient-privileges',
    nodeProblem: false,
    priority: 64,
    // ztunnel checks at start that it may mark sockets and enter pod network namespaces.
    patterns: [
      /failed to set mark on socket\. make sure ztunnel has CAP_NET_RAW, CAP_NET_ADMIN/,
      /failed to set netns: [^\n]{0,160}(?:PermissionDenied|Operation not permitted|os error 1\b)/,
      /Can't switch to host namespace: [^\n]{0,120}(?:operation not permitted|permission denied)/i,
      // istio-cni / istio-iptables TPROXY routing (cni/pkg/nodeagent/net_linux.go, tools/istio-iptables/pkg/cmd/root.go)
      /failed to configure (?:netlink rule|routes): [^\n]{0,160}(?:operation not permitted|permission denied)/i,
    ],
    derive: 'none',
    explanation:
      'The node proxy / CNI agent lacks the capabilities it needs (CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN to enter pod network namespaces): its DaemonSet securityContext was changed, or a policy stripped them.',
    remediation: [
      'Restore the capabilities the mesh\'s DaemonSet ships with (do not override its securityContext); on OpenShift use the mesh\'s documented SCC',
      'Then restart the DaemonSet pods',
    ],
    source: 'istio/ztunnel src/inpod/linux.rs and src/socket.rs ("failed to set mark on socket. make sure ztunnel has CAP_NET_RAW, CAP_NET_ADMIN"); istio/istio cni/pkg/iptables ("Can\'t switch to host namespace")',
  },
  {
    id: 'cni-host-dir-denied',
    category: 'selinux',
    nodeProblem: true,
    priority: 60,
    // install-cni runs as root: a root container refused its hostPath CNI directories is a MAC
    // denial (SELinux labels on /etc/cni/net.d, /opt/cni/bin), not file permissions.
    patterns: [/\/host\/(?:etc\/cni\/net\.d|opt\/cni\/bin|var\/lib\/cni)\/?\S{0,200}: Permission denied/],
    derive: 'none',
    explanation:
      'The CNI installer (running as root) was denied its host CNI directories: on an SELinux-enforcing node the container\'s SELinux type may not write the host\'s CNI config/bin directories.',
    remediation: [
      'Check the denial on the node: ausearch -m avc -ts recent | grep cni',
      'Run the CNI DaemonSet privileged (or with seLinuxOptions type spc_t), as the mesh documents for SELinux platforms',
    ],
    source: 'https://github.com/istio/istio/pull/32360 (install-cni as root denied /host/etc/cni/net.d on an SELinux node); istio/istio cni/deployments/kubernetes/install/scripts/install-cni.sh (writes /host/etc/cni/net.d); https://istio.io/latest/docs/setup/additional-setup/cni/ (privileged on SELinux platforms)',
  },
  {
    id: 'root-socket-connect-denied',
    category: 'selinux',
    nodeProblem: true,
    priority: 59,
    // ztunnel runs as root and connects to the CNI agent's socket on a hostPath: EACCES there is MAC
    // policy (SELinux labels of /var/run/ztunnel), not file permissions.
    patterns: [/failed to connect to server "[^"\n]{0,120}\.sock": Os \{ code: 13, kind: PermissionDenied/],
    derive: 'none',
    explanation:
      'A node component running as root was refused its connection to another component\'s host socket: on an SELinux-enforcing node that is a policy denial of the socket\'s label, not missing file permissions.',
    remediation: [
      'Check the denial: ausearch -m avc -ts recent | grep -e ztunnel -e sock',
      'Use the mesh\'s documented SELinux settings for this platform (seLinuxOptions type spc_t, or a policy package for the distribution, e.g. RKE2\'s)',
    ],
    source: 'https://github.com/istio/istio/issues/52876 (ztunnel on RKE2 / RHEL 8 with SELinux enforcing); istio/ztunnel src/inpod/workloadmanager.rs ("failed to connect to server")',
  },
  {
    id: 'audit-syscall-denied',
    category: 'selinux',
    nodeProblem: true,
    priority: 93,
    // The audit SYSCALL record of a denial (ausearch -i), when the AVC line is not in the paste.
    patterns: [/type=SYSCALL msg=audit\([^)\n]{1,60}\) ?:[^\n]{0,300}? success=no exit=(?:EACCES|EPERM|-13|-1)\b/],
    derive: 'none',
    when: { elsewhere: /proctitle=(?:\S{0,80}\/)?(?:ip6?tables|nft|pilot-agent|istio-iptables|proxy-init)|comm="?(?:ip6?tables|nft|pilot-agent|istio-iptables|proxy-init)/ },
    explanation:
      'The node\'s audit log shows the kernel refusing the mesh\'s iptables run a file or operation (a SYSCALL record with success=no and EACCES): on an SELinux node that is a policy denial of iptables, not missing privileges in the pod.',
    remediation: [
      'Find the matching AVC: ausearch -m avc -ts recent | grep iptables',
      'Update container-selinux / the node\'s policy, or use a mesh version that feeds rules on stdin instead of a file',
    ],
    source: 'https://github.com/istio/istio/issues/42485 (iptables-restore denied its rules file after an OKD/CentOS Stream policy update); https://github.com/istio/istio/pull/44124 (rules on stdin to avoid the denial)',
  },
  {
    id: 'netfilter-tool-eperm',
    category: 'insufficient-privileges',
    nodeProblem: false,
    // Fallback for any other wording: a netfilter or routing tool refused with EPERM/EACCES. Every
    // specific reading (SELinux, a missing table, the lock file) outranks it.
    priority: 20,
    patterns: [
      /\b(?:ip6?tables(?:-legacy|-nft)?(?:-restore|-save)?|nft|ipset|xtables-(?:legacy|nft)-multi)\b[^\n]{0,240}?(?:Permission denied|Operation not permitted)/,
      // iproute2 (TPROXY routes and rules): EPERM without CAP_NET_ADMIN
      /RTNETLINK answers: Operation not permitted/,
    ],
    derive: 'none',
    explanation:
      'The kernel refused a netfilter or routing operation to the container (EPERM/EACCES): it runs without root or without CAP_NET_ADMIN/CAP_NET_RAW. On SELinux nodes a denial shows the same text; check the audit log if the pod has the capabilities.',
    remediation: [
      'Give the init container NET_ADMIN and NET_RAW and run it as user 0 (do not override the mesh\'s init securityContext), or use the mesh\'s CNI plugin',
      'If it already has them: ausearch -m avc -ts recent (SELinux)',
    ],
    source: 'https://github.com/istio/old_issues_repo/issues/316 (can\'t initialize iptables table \'nat\': Permission denied, a non-root runAsUser inherited by istio-init); iproute2 lib/libnetlink.c ("RTNETLINK answers: %s")',
  },
  {
    id: 'sudo-on-one-side-of-a-pipe',
    category: 'insufficient-privileges',
    nodeProblem: false,
    // `sudo iptables-save | iptables-restore`: only the left side runs as root, so the restore fails
    // on whatever table it opens first, worded as if the table were missing.
    priority: 62,
    patterns: [/\$ {1,4}sudo (?:\S{0,60}\/)?ip6?tables(?:-legacy|-nft)?-save\b[^|\n]{0,200}\| {0,4}(?!sudo\b)(?:\S{0,60}\/)?ip6?tables(?:-legacy|-nft)?-restore\b/],
    derive: 'none',
    when: { elsewhere: /unable to initialize table|can't initialize ip6?tables table|Permission denied|Could not fetch rule set generation id/ },
    explanation:
      'Only the first command of the pipeline ran under sudo: the iptables-restore after the `|` ran as the unprivileged user and could not open the table. The table exists; the privileges are missing.',
    remediation: ['Run the restore as root too: sudo iptables-save | sudo iptables-restore', 'In a container: run the step as root with NET_ADMIN'],
    source: 'sudo(8): applies to its own command only, not to the rest of a shell pipeline; https://pastebin.com/fWnS1SyB',
  },
  {
    id: 'non-root-shell-prompt',
    category: 'insufficient-privileges',
    nodeProblem: false,
    // A transcript whose iptables tool was started from a non-root shell (`user@host:~$ tool`, no sudo):
    // iptables-nft then reports its failed kernel probes as missing extensions ("Couldn't load match"),
    // so the prompt outranks the extension/table guesses it causes.
    priority: 61,
    patterns: [
      /^(?!root@)(?<user>[a-z_][a-z0-9_.-]{0,31})@[A-Za-z0-9.-]{1,64}:[^\s$#]{0,200}\$ {1,4}(?:\S{0,120}\/)?(?<binary>kumactl|ip6?tables(?:-legacy|-nft)?(?:-restore)?|nft|istio-iptables|pilot-agent|proxy-init|linkerd2-proxy-init)\s/,
    ],
    derive: 'none',
    when: { elsewhere: /Couldn't (?:load|find) (?:match|target)|can't initialize ip6?tables table|unable to initialize table|RULE_[A-Z]+ failed|No chain\/target\/match by that name|Could not fetch rule set generation id|\(nf_tables\): Chain '[A-Z]+' does not exist/ },
    explanation:
      'The log shows {binary} started from a non-root shell ({user}, no sudo). Without root (CAP_NET_ADMIN/CAP_NET_RAW) iptables cannot query the kernel, and iptables-nft reports that as a missing match or target: the failure is the privileges, not a kernel module.',
    remediation: ['Run the tool as root (sudo, or a root init container with NET_ADMIN and NET_RAW)', 'Re-run; if the same extension error remains as root, diagnose that log again'],
    source: 'https://github.com/kumahq/kuma/issues/8412 (maintainers: the owner-match error came from running as kuma-dp, not root)',
  },
];
