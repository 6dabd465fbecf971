/**
 * Kernel facts behind "will the mesh's pod get a module it needs that is not loaded yet?" — each with its
 * source. The judgement (src/autoload/judge.ts) is code; what the kernel, kmod and the SELinux policies do
 * is data here, tested entry by entry (test/kernel-data/autoload.test.ts).
 *
 * The mechanism: a mesh init container (istio-init, linkerd-init) has no CAP_SYS_MODULE and no module tree
 * in its image. A module it needs arrives only when the kernel itself requests it (`request_module()`,
 * kernel/module/kmod.c), which runs the host's `kernel.modprobe` binary as root in the host's filesystem,
 * with the name or alias the kernel asks for.
 */
import type { Family } from '../../src/core/requirements.types.ts';

export interface KernelFact {
  statement: string;
  source: string;
}

/** Why each cause blocks (or allows) autoload; the judgement cites these in its reasons. */
export const AUTOLOAD_FACTS = {
  legacyBootstrap: {
    statement:
      'legacy iptables reaches the kernel through ip_tables.ko: without it the IPT_SO_* socket options have no handler ' +
      '(ENOPROTOOPT), no request_module() happens, and iptables falls back to running modprobe inside the pod, which ' +
      'has no module tree (modprobe: FATAL: Module ip_tables not found); every table, match and target autoload of the ' +
      'legacy backend lives in ip_tables/x_tables',
    source:
      'torvalds/linux net/netfilter/nf_sockopt.c (nf_sockopt_find: -ENOPROTOOPT), net/netfilter/x_tables.c ' +
      '(xt_request_find_table_lock, xt_request_find_match); iptables libxtables xtables.c (xtables_load_ko); ' +
      'kubevirt/kubevirt#2400; awslabs/amazon-eks-ami#2354, #2355; istio/istio#57380',
  },
  nftBootstrap: {
    statement:
      'iptables-nft talks netlink: nfnetlink requests nf_tables (nfnetlink-subsys-10), nf_tables requests chain ' +
      'types (nft-chain-2-nat) and expressions, nft_compat requests the xt match/target (ipt_<name>) — all through ' +
      "the kernel's request_module()",
    source: 'torvalds/linux net/netfilter/nfnetlink.c (request_module "nfnetlink-subsys-%d"), net/netfilter/nf_tables_api.c (nft_request_module), net/netfilter/nft_compat.c',
  },
  selinuxEnforcing: {
    statement:
      "request_module() checks the caller's SELinux domain for system:module_request; container-selinux grants it to " +
      'the runtime domain only (kernel_request_load_module(container_runtime_t)), so a pod running as container_t is ' +
      'refused (AVC denied { module_request } … kmod="iptable_filter" scontext=…container_t); privileged pods run as ' +
      'spc_t and are not confined',
    source:
      'containers/container-selinux container.te (kernel_request_load_module(container_runtime_t)); torvalds/linux ' +
      'security/selinux/hooks.c (selinux_kernel_module_request); istio/istio#4500, istio/istio#24101, rancher/rke2#504',
  },
  selinuxPermissive: {
    statement: 'SELinux permissive logs the module_request denial and allows it',
    source: 'selinux(8): permissive mode logs but does not enforce; /sys/fs/selinux/enforce 0 = permissive, 1 = enforcing',
  },
  modulesDisabled: {
    statement: 'kernel.modules_disabled=1 refuses every module load, explicit or automatic, until the next reboot; it cannot be set back to 0',
    source: 'torvalds/linux Documentation/admin-guide/sysctl/kernel.rst (modules_disabled)',
  },
  modprobePathEmpty: {
    statement: 'an empty kernel.modprobe makes request_module() do nothing (CONFIG_MODPROBE_PATH="" is how Talos ships)',
    source:
      'torvalds/linux kernel/kmod.c (__request_module returns early when modprobe_path is empty); patch "modules: add ' +
      'CONFIG_MODPROBE_PATH" (Rasmus Villemoes, 2021: "set it to the empty string initially, thus effectively disabling ' +
      'request_module()"); Documentation/admin-guide/sysctl/kernel.rst (modprobe)',
  },
  modprobeInstall: {
    statement:
      'an `install <module> <command>` line in modprobe.d makes modprobe run the command instead of loading the module, ' +
      'for explicit loads, alias lookups and dependencies alike; `/bin/false` or `/bin/true` disables the module',
    source: 'kmod modprobe.d(5) (install); ComplianceAsCode/content kernel_module_disabled template (install X /bin/true); CIS benchmarks (install X /bin/false)',
  },
  modprobeBlacklist: {
    statement:
      "`blacklist <module>` makes modprobe ignore the module's own aliases: a request by alias (ipt_owner, " +
      'nft-chain-2-nat) does not load it, an explicit `modprobe <module>` by name still does; systemd-modules-load ' +
      'applies blacklists too (KMOD_PROBE_APPLY_BLACKLIST), so a blacklisted module listed in modules-load.d is not loaded at boot',
    source: 'kmod modprobe.d(5) (blacklist); systemd src/shared/module-util.c (module_load_and_warn: probe_flags = KMOD_PROBE_APPLY_BLACKLIST)',
  },
  modprobeDirectories: {
    statement:
      'modprobe reads *.conf from /etc/modprobe.d, /run/modprobe.d, /usr/local/lib/modprobe.d, /usr/lib/modprobe.d and ' +
      '/lib/modprobe.d; a file name in an earlier directory replaces the same name in a later one',
    source: 'kmod modprobe.d(5) (SYNOPSIS and DESCRIPTION)',
  },
  bootOrder: {
    statement:
      'systemd-sysctl.service runs after systemd-modules-load.service, so modules listed in modules-load.d are loaded ' +
      'at boot before a sysctl.d setting turns kernel.modules_disabled on',
    source: 'systemd units/systemd-sysctl.service.in (After=systemd-modules-load.service)',
  },
} as const satisfies Record<string, KernelFact>;

export type AutoloadFactId = keyof typeof AUTOLOAD_FACTS;

/** How the kernel (or the pod's own iptables) asks for a module when the mesh's rules need it. */
export type RequestKind =
  /** request_module() with the module's own name: `blacklist` does not stop it. */
  | 'name'
  /** request_module() with an alias the module declares: `blacklist` stops it. */
  | 'alias'
  /** loaded by modprobe as a dependency of a requested module (modules.dep): `blacklist` does not stop it. */
  | 'dependency'
  /** the pod's iptables runs modprobe itself (legacy bootstrap): cannot work inside a pod. */
  | 'pod-modprobe'
  /** nothing the mesh pod does loads it: it must be loaded on the host. */
  | 'host-only';

export interface ModuleRequest {
  kind: RequestKind;
  /** What the kernel asks modprobe for (a name or alias), per family where it differs. */
  requested?: string;
  source: string;
}

const XT = 'torvalds/linux net/netfilter/x_tables.c';
const EXT_ALIAS = `${XT} (xt_request_find_match / xt_request_find_target: request_module("%st_%s", xt_prefix[af], name)); the xt_* sources declare MODULE_ALIAS("ipt_<name>") and ("ip6t_<name>")`;
const TABLE_NAME = `${XT} (xt_request_find_table_lock: request_module("%stable_%s", xt_prefix[af], name))`;

/** Matches and targets of the mesh rules: xt module → the extension name the kernel looks up. */
const EXTENSION_OF: Readonly<Record<string, string>> = {
  xt_REDIRECT: 'REDIRECT',
  xt_owner: 'owner',
  xt_multiport: 'multiport',
  xt_comment: 'comment',
  xt_conntrack: 'conntrack',
  xt_mark: 'mark',
  xt_connmark: 'connmark',
  xt_CT: 'CT',
  xt_TPROXY: 'TPROXY',
  xt_socket: 'socket',
  xt_tcpudp: 'tcp',
};

/** How `module` reaches the kernel for `family` rules. */
export function moduleRequest(module: string, family: Family = 'ipv4'): ModuleRequest {
  const prefix = family === 'ipv6' ? 'ip6' : 'ip';
  if (module === 'ip_tables' || module === 'ip6_tables') {
    return { kind: 'pod-modprobe', requested: module, source: AUTOLOAD_FACTS.legacyBootstrap.source };
  }
  const table = /^(ip6?table)_(\w+)$/.exec(module);
  if (table) return { kind: 'name', requested: module, source: TABLE_NAME };
  const extension = EXTENSION_OF[module];
  if (extension) return { kind: 'alias', requested: `${prefix}t_${extension}`, source: EXT_ALIAS };
  if (module === 'nf_tables') return { kind: 'alias', requested: 'nfnetlink-subsys-10', source: 'torvalds/linux net/netfilter/nfnetlink.c (request_module("nfnetlink-subsys-%d")); nf_tables_api.c MODULE_ALIAS_NFNL_SUBSYS(NFNL_SUBSYS_NFTABLES = 10)' };
  if (module === 'nft_compat') return { kind: 'alias', requested: 'nft-expr-match', source: 'torvalds/linux net/netfilter/nf_tables_api.c (nft_request_module "nft-expr-%.*s"); nft_compat.c MODULE_ALIAS_NFT_EXPR("match"), ("target")' };
  if (module === 'nft_chain_nat') return { kind: 'alias', requested: family === 'ipv6' ? 'nft-chain-10-nat' : 'nft-chain-2-nat', source: 'torvalds/linux net/netfilter/nf_tables_api.c (nft_request_module "nft-chain-%u-%.*s"); nft_chain_nat.c MODULE_ALIAS_NFT_CHAIN(AF_INET, "nat")' };
  if (module === 'br_netfilter') {
    return { kind: 'host-only', source: 'torvalds/linux net/bridge/br_netfilter_hooks.c: nothing in the mesh rules requests it; kubeadm and the runbook load it on the host (modprobe br_netfilter)' };
  }
  return { kind: 'dependency', source: 'kmod modules.dep(5): modprobe loads a module\'s dependencies first; the x_tables/nf_nat/nf_conntrack core comes with the table, match or target that needs it' };
}

/** SELinux policies known to grant module_request to the domain mesh pods run in. */
export interface ContainerPolicy {
  /** os-release ID. */
  osId: string;
  grantsModuleRequest: boolean;
  source: string;
}

export const CONTAINER_POLICIES: readonly ContainerPolicy[] = [
  {
    osId: 'bottlerocket',
    grantsModuleRequest: true,
    // As stated in issue 17; not re-read from bottlerocket-os/bottlerocket packages/selinux-policy here.
    source: "bottlerocket-os/bottlerocket packages/selinux-policy (Bottlerocket's own policy, not container-selinux: autoload from containers is allowed)",
  },
];

/** The default for any other SELinux host: the container-selinux policy (RHEL, CentOS, Rocky, Alma, Fedora, AL2023). */
export const DEFAULT_CONTAINER_POLICY: Omit<ContainerPolicy, 'osId'> = {
  grantsModuleRequest: false,
  source: AUTOLOAD_FACTS.selinuxEnforcing.source,
};

/** The policy for an os-release ID. */
export function containerPolicyFor(osId: string | undefined): ContainerPolicy {
  return CONTAINER_POLICIES.find((p) => p.osId === osId) ?? { osId: osId ?? 'unknown', ...DEFAULT_CONTAINER_POLICY };
}

/**
 * The domain container runtimes give a pod's processes: go-selinux (containerd, CRI-O) reads the `process`
 * key of `<policy root>/contexts/lxc_contexts` (opencontainers/selinux go-selinux; the key set as in
 * containers/container-selinux container_contexts: process = "system_u:system_r:container_t:s0").
 */
export const LXC_CONTEXTS = 'contexts/lxc_contexts';

/** Domains that SELinux does not confine: a pod running in one may trigger module loads. */
export const UNCONFINED_CONTAINER_DOMAINS: readonly KernelFact[] = [
  { statement: 'spc_t', source: 'containers/container-selinux container.te (type spc_t: the "super privileged container" domain of privileged pods)' },
  { statement: 'unconfined_t', source: 'SELinux reference policy: unconfined_t is not confined' },
];

/** `install` commands that disable a module rather than load it some other way. */
export const DISABLING_INSTALL_COMMANDS: readonly string[] = ['/bin/false', '/bin/true', '/usr/bin/false', '/usr/bin/true', 'false', 'true', '/dev/null', 'exit'];

/** modprobe.d directories in precedence order (kmod modprobe.d(5)). */
export const MODPROBE_D_DIRS: readonly string[] = ['/etc/modprobe.d', '/run/modprobe.d', '/usr/local/lib/modprobe.d', '/usr/lib/modprobe.d', '/lib/modprobe.d'];
