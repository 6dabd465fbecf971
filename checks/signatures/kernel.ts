/**
 * Signatures of a kernel that lacks what the rules need: a table, an xtables match/target, or a module
 * that modprobe could not find. Modules are derived from the message by the engine.
 */
import type { Signature } from './types.ts';

const FIX_LOAD = [
  'On this node: modprobe {modules}',
  'Persist it across reboots: mesh-preflight fix (writes /etc/modules-load.d/99-mesh-preflight.conf)',
  'If modprobe says the module is not found, the kernel lacks it: install the distro kernel-modules package (e.g. kernel-modules-extra, linux-modules-extra-$(uname -r)) or use a kernel that has it',
];

// A legacy table that is missing may be missing on purpose: on a node whose rules live in nf_tables the
// image's legacy iptables is the wrong one (`diagnose --on-node` tells, and then says so).
const FIX_TABLE = [
  ...FIX_LOAD,
  'If this node runs the nftables backend (mesh-preflight check shows it), do not load legacy tables: use the iptables-nft mode of the image instead',
];

// Both tc wordings of a queueing discipline the kernel does not have; the kind comes from the tc command.
const QDISC_MISSING = {
  category: 'missing-kernel-module',
  nodeProblem: true,
  priority: 44,
  derive: 'link-kind',
  explanation:
    'The kernel has no queueing discipline of the kind the command asks for: its module ({modules}) is not in this node\'s kernel or could not be loaded.',
  remediation: [...FIX_LOAD],
} as const satisfies Partial<Signature>;

export const kernelSignatures: Signature[] = [
  {
    id: 'table-does-not-exist',
    category: 'missing-iptables-table',
    nodeProblem: true,
    priority: 60,
    patterns: [
      // (the opening quote is sometimes lost to markdown, which reads a backtick as code)
      /(?<family>ip6?tables)(?:-(?:legacy|nft))?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy|nf_tables)\))?)?: can't initialize ip6?tables table [`'"]?(?<table>[a-z]+)['`"]?: Table does not exist/,
      // Quoted inline without the binary's prefix: the family is in the wording itself.
      /(?:^|\s)can't initialize (?<family>ip6?tables) table [`'"](?<table>[a-z]+)['`"]?: Table does not exist/,
      // kuma's own probe of the iptables it found (pkg/transparentproxy/config/config_executables_functionality.go)
      /unmet minimal requirements: missing table: "(?<table>nat|raw|mangle|filter)"/,
      // iptables-nft's wording for a built-in table the kernel cannot provide.
      /(?<family>ip6?tables)(?:-nft)?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2})? \((?<backend>nf_tables)\): table '(?<table>nat|mangle|raw|filter|security)' does not exist/,
    ],
    explanation:
      'The kernel has no {family} `{table}` table: the module that provides it ({modules}) is not loaded and could not be loaded from the init container.',
    remediation: FIX_TABLE,
    source: 'https://github.com/istio/istio/pull/5341 (ip6tables v1.6.0 nat); https://github.com/brainfucksec/archtorify/issues/27',
  },
  {
    id: 'restore-unable-to-initialize-table',
    category: 'missing-iptables-table',
    nodeProblem: true,
    priority: 60,
    patterns: [/(?<family>ip6?tables)-restore(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy|nf_tables)\))?)?: (?:ip6?tables-restore: )?unable to initialize table '(?<table>[a-z]+)'/],
    explanation:
      'iptables-restore could not open the `{table}` table: the node kernel does not provide it ({modules} not loaded, or not available).',
    remediation: FIX_TABLE,
    source: 'https://github.com/istio/istio/issues/23009; https://github.com/istio/istio/issues/44118; https://github.com/istio/istio/issues/57380',
  },
  {
    id: 'iptables-who',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 58,
    patterns: [
      /(?<family>ip6?tables)(?:-(?:legacy|nft))?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy)\))?)?: (?:Cannot initialize|can't initialize ip6?tables table [`'"][a-z]+['`"]?): ip6?tables who\? \(do you need to insmod\?\)/,
    ],
    modules: ['{core}'],
    explanation:
      'Legacy iptables found no x_tables interface in the kernel ("iptables who?"): {modules} is not loaded on the node and the container could not load it.',
    remediation: FIX_LOAD,
    source: 'https://github.com/linkerd/linkerd2/issues/8596',
  },
  {
    id: 'modprobe-extension-not-found',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    priority: 50,
    // The module modprobe cannot find is a match or target (xt_u32, ipt_REJECT): the extension is missing.
    patterns: [
      /modprobe: (?:FATAL|WARNING): Module (?<module>(?:xt|ipt|ip6t)_[A-Za-z0-9_]+) not found in directory \/\S+/,
      /modprobe: module (?<module>(?:xt|ipt|ip6t)_[A-Za-z0-9_]+) not found in modules\.dep/,
    ],
    explanation: 'The kernel has no {modules}: the match or target it provides cannot be used in any rule on this node.',
    remediation: [...FIX_LOAD],
    source: 'https://github.com/microsoft/WSL/issues/9946 (modprobe: FATAL: Module xt_u32 not found in a WSL kernel)',
  },
  {
    id: 'modprobe-table-not-found',
    category: 'missing-iptables-table',
    nodeProblem: true,
    priority: 50,
    patterns: [
      /modprobe: (?:FATAL|WARNING): Module (?<module>ip6?table_(?<table>[a-z]+)) not found in directory \/\S+/,
      /modprobe: module (?<module>ip6?table_(?<table>[a-z]+)) not found in modules\.dep/,
    ],
    explanation: 'The kernel has no {modules}: the {table} table cannot be created on this node.',
    remediation: [...FIX_LOAD],
    source: 'https://github.com/microsoft/WSL/issues/9946 (modprobe FATAL for a netfilter module of a WSL kernel); kmod tools/modprobe.c ("Module %s not found in directory %s")',
  },
  {
    id: 'modprobe-module-not-found',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 50,
    patterns: [
      /modprobe: (?:FATAL|WARNING): Module (?!xt_|ipt_|ip6t_|ip6?table_)(?<module>[A-Za-z0-9_-]+) not found in directory \/\S+/,
      // busybox modprobe (Alpine and other small images)
      /modprobe: module (?!xt_|ipt_|ip6t_|ip6?table_)(?<module>[A-Za-z0-9_-]+) not found in modules\.dep/,
    ],
    // `modprobe iptables` / `modprobe nftables` (tool names, not modules) fail on any kernel: no finding.
    when: { derivedModules: true },
    explanation:
      'modprobe could not find {modules} in the module tree it was given: the kernel does not ship it there (or /lib/modules of the running kernel is absent).',
    remediation: [
      'On this node: modprobe {modules} (if it fails there too, the kernel lacks the module)',
      'Install the kernel modules package for the running kernel, or boot a kernel that has it; then run mesh-preflight check',
    ],
    source:
      'https://github.com/bubuntux/nordvpn/issues/372; https://github.com/orbstack/orbstack/issues/493; ' +
      'https://github.com/fail2ban/fail2ban/issues/4182 and https://github.com/inindev/linux-rockchip/issues/8 (`modprobe iptables` / `modprobe nftables`: tool names, ignored); busybox modutils/modprobe.c ("module %s not found in modules.dep")',
  },
  {
    id: 'table-module-not-loaded',
    category: 'missing-iptables-table',
    nodeProblem: true,
    priority: 50,
    patterns: [
      /\b(?:could not|couldn't|failed to|unable to|cannot|can't) (?:load|insert) (?:kernel )?module:? [`'"]?(?<module>ip6?table_(?<table>[a-z]+))\b/i,
      /\b(?:kernel )?module:? [`'"]?(?<module>ip6?table_(?<table>[a-z]+))[`'"]? (?:is )?(?:not (?:loaded|found|available|present)|missing|unavailable)\b/i,
    ],
    explanation: 'The kernel does not provide {modules}: the {table} table cannot be created on this node.',
    remediation: [...FIX_LOAD],
    source: 'https://github.com/cilium/cilium/issues/7928 (could not load module ip6table_mangle); https://github.com/cilium/cilium/issues/8860 (GKE COS)',
  },
  {
    id: 'extension-module-not-loaded',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    // Above the generic module reading (49) of the same words: the module is a match or target.
    priority: 50,
    patterns: [
      // libxt_set's own check ("Kernel module xt_set is not loaded in."), and scripts' wording
      /\b(?:kernel )?module:? [`'"]?(?<module>(?:xt|ipt|ip6t)_[A-Za-z0-9]{2,40})[`'"]? (?:is )?(?:not (?:loaded|found|available|present)|missing|unavailable)\b/i,
      /\b(?:could not|couldn't|failed to|unable to|cannot|can't) (?:load|insert) (?:kernel )?module:? [`'"]?(?<module>(?:xt|ipt|ip6t)_[A-Za-z0-9]{2,40})/i,
    ],
    explanation: 'The kernel does not provide {modules}: the match or target it implements cannot be used in any rule on this node.',
    remediation: [...FIX_LOAD],
    source: 'netfilter iptables extensions/libxt_set.h ("Kernel module xt_set is not loaded in."); https://github.com/lisaac/tproxy-gateway/issues/2',
  },
  {
    id: 'module-load-failed',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 49,
    // A component that loads its modules itself (Cilium's "could not load module ip6_tables: exit status
    // 1", scripts' "failed to load module") names the module it could not get.
    patterns: [
      /\b(?:could not|couldn't|failed to|unable to|cannot|can't) (?:load|insert) (?:kernel )?module:? [`'"]?(?<module>[A-Za-z0-9_-]{2,64})/i,
      // Node set-up and preflight scripts' own wording ("br_netfilter module is not loaded", "kernel module
      // <module> not found", "missing kernel module: <module>"); only netfilter/network module names count.
      /\b(?:kernel )?module:? [`'"]?(?<module>(?:ip6?_tables|ip6?table_[a-z]+|x_tables|xt_[A-Za-z]+|ip6?t_[A-Za-z]+|nf_[a-z_]+|nft_[a-z_]+|br_netfilter|ip_vs[a-z_]*|ip_set[a-z_]*|wireguard|vxlan|geneve|overlay|tun|veth|bridge|8021q|sch_[a-z_]+|nfnetlink[a-z_]*|ebtables|ebtable_[a-z]+))[`'"]? (?:is )?(?:not (?:loaded|found|available|present)|missing|unavailable)\b/i,
      /\b(?<module>(?:ip6?_tables|ip6?table_[a-z]+|x_tables|xt_[A-Za-z]+|ip6?t_[A-Za-z]+|nf_[a-z_]+|nft_[a-z_]+|br_netfilter|ip_vs[a-z_]*|ip_set[a-z_]*|wireguard|vxlan|geneve|overlay|tun|veth|8021q|sch_[a-z_]+|nfnetlink[a-z_]*)) (?:kernel )?module (?:is )?(?:not (?:loaded|found|available|present)|missing|unavailable)\b/i,
      /\bmissing (?:kernel )?modules?:? [`'"]?(?<module>(?:ip6?_tables|ip6?table_[a-z]+|x_tables|xt_[A-Za-z]+|nf_[a-z_]+|nft_[a-z_]+|br_netfilter|ip_vs[a-z_]*|ip_set[a-z_]*|wireguard|vxlan|geneve|tun|sch_[a-z_]+))\b/i,
    ],
    // (not when modprobe said EPERM: the caller could not load anything, see modprobe-without-sys-module)
    when: { derivedModules: true, nowhere: /could not insert '[^'\n]{1,64}': Operation not permitted|Error inserting [^\n]{0,200}: Operation not permitted/ },
    explanation:
      'Loading {modules} failed on this node: the kernel does not have it (not built, or its modules package is missing), or the container could not load it.',
    remediation: [
      'On this node: modprobe {modules} (if it fails there too, the kernel lacks the module); then mesh-preflight fix to persist it',
      'Install the kernel modules package for the running kernel, or boot a kernel that has it',
    ],
    source: 'https://github.com/cilium/cilium/issues/7928 (could not load module ip6table_mangle); cilium/cilium pkg/modules/modules.go ("could not load module %s: %w"); busybox modutils/modprobe.c ("can\'t load module %s (%s): %s")',
  },
  {
    id: 'modprobe-could-not-insert',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 51,
    // (EPERM is the caller's missing CAP_SYS_MODULE, not the module: see modprobe-without-sys-module)
    patterns: [/modprobe: ERROR: could not insert '(?<module>[A-Za-z0-9_-]{1,64})': (?!Operation not permitted)(?<reason>[A-Za-z][A-Za-z ]{2,60})/],
    when: { derivedModules: true },
    explanation:
      'The kernel refused to load {modules} ({reason}): the module file does not belong to the running kernel (wrong release or architecture) or is blocked.',
    remediation: [
      'On this node: modprobe {modules}; check dmesg for the reason',
      'Install the modules package that matches uname -r (a kernel upgraded without reboot leaves mismatched modules)',
    ],
    source: 'https://github.com/kubernetes/kubernetes/issues/66454',
  },
  {
    id: 'modprobe-no-lib-modules',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 30,
    patterns: [
      /modprobe: can't change directory to '\/lib\/modules': No such file or directory/,
      // kmod's modprobe when the running kernel's module tree is not there (not mounted, or not installed)
      /could not open moddep file '\/lib\/modules\/[^'\n]{1,120}\/modules\.dep\.bin'/,
    ],
    derive: 'none',
    explanation:
      'iptables tried to load a kernel module from inside the container, which has no /lib/modules: anything the node had not already loaded was unavailable.',
    remediation: ['Load the modules the mesh needs on the node itself: mesh-preflight fix', 'Then re-run mesh-preflight check to confirm'],
    source: 'https://github.com/linkerd/linkerd2/issues/8596; https://github.com/d3vilh/openvpn-server/issues/6; kmod libkmod/libkmod.c (could not open moddep file)',
  },
  {
    id: 'couldnt-load-extension',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    priority: 55,
    // The name class has no `_`: mesh chains (ISTIO_REDIRECT, PROXY_INIT_OUTPUT) are not extensions.
    patterns: [
      /Couldn't load (?<kind>match|target) [`'"](?<ext>[A-Za-z0-9]+)['`"]?:\s*No such file or directory/,
      // kuma's probe (`iptables -m owner --help` failed): a match extension (config_executables_functionality.go)
      /unmet minimal requirements: missing module: "(?<ext>[a-z0-9]+)"/,
    ],
    when: { extensionKnown: true },
    explanation:
      'The kernel does not know the xtables {extension}: iptables asked the kernel for a revision of it and got "No such file or directory", so {modules} is missing or not loaded.',
    remediation: FIX_LOAD,
    source: 'https://github.com/cilium/little-vm-helper-images/pull/40; https://github.com/BlackArch/torctl/issues/17',
  },
  {
    id: 'extension-revision-not-supported',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    priority: 56,
    patterns: [/Warning: Extension (?<ext>[A-Za-z0-9]+) revision \d+ not supported, missing kernel module\?/],
    explanation:
      'iptables-nft could not find kernel support for the {extension} extension (nft_compat needs {modules}).',
    remediation: FIX_LOAD,
    source: 'https://github.com/jamesmcm/vopono/issues/297; https://github.com/thrnz/docker-wireguard-pia/issues/130',
  },
  {
    id: 'no-chain-target-match-extension',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    priority: 52,
    patterns: [/(?:ip6?tables(?:-(?:legacy|nft))?(?: v\d+(?:\.\d+){1,2}(?: \((?:legacy|nf_tables)\))?)?|iptables-restore): No chain\/target\/match by that name/],
    derive: 'previous-command',
    when: { previousCommand: /\s-[AI]\s/, derivedModules: true },
    explanation:
      'The kernel rejected a rule that uses the {extension}: legacy iptables reports a missing match/target module as "No chain/target/match by that name" ({modules}).',
    remediation: FIX_LOAD,
    source: 'https://github.com/istio/istio/issues/13857; https://github.com/linkerd/linkerd2/issues/3160',
  },
  {
    id: 'nat-hook-taken-by-nft',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // Above the missing-table reading of the same log (55-60): it explains why the table is missing.
    priority: 62,
    // Before kernel 5.1 only one NAT hook owner per family could register: with nf_tables NAT (nft_chain_nat)
    // in use, loading iptable_nat fails with EBUSY, so legacy iptables can never get a nat table here.
    patterns: [/could not insert '(?<module>ip6?table_nat)': Device or resource busy/],
    derive: 'none',
    explanation:
      'The legacy nat table cannot be loaded because nf_tables NAT already owns the NAT hook on this kernel: the host uses the nftables backend, and this tool the legacy one.',
    remediation: ['Run the tool (or the mesh) with the nftables backend this host uses (iptables-nft), or move the host\'s NAT to iptables-legacy'],
    source: 'https://github.com/oblique/create_ap/pull/349 (modprobe: ERROR: could not insert \'iptable_nat\': Device or resource busy with nft NAT in use)',
  },
  {
    id: 'unknown-option-of-no-extension',
    category: 'config-error',
    nodeProblem: false,
    // Below the missing-extension reading of the same line (53).
    priority: 27,
    // An option no loaded or standard extension owns: a typo (`--dstport`), or a tcp/udp option in a
    // rule without `-p tcp`. The rule, not the kernel, is wrong.
    patterns: [
      /(?<family>ip6?tables)(?:-(?:legacy|nft))?(?:-restore)?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy|nf_tables)\))?)?: unknown option [`'"]--(?<option>[a-z][a-z-]{1,40})['`"]/,
    ],
    derive: 'option-owner',
    when: { derivedModules: false },
    explanation:
      'iptables does not know the option --{option}: no standard extension has it, so the rule itself is wrong (a misspelt option, or a port option without -p tcp/udp). The node is not the cause.',
    remediation: ['Fix the rule in the tool or mesh configuration that generated it (check the spelling, and that port options follow -p tcp or -p udp)'],
    source: 'https://github.com/mikegleasonjr/ansible-role-firewall/issues/5 (unknown option "--dstport", a typo for --dport); netfilter iptables iptables/xshared.c ("unknown option")',
  },
  {
    id: 'unknown-option-missing-extension',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    priority: 53,
    // iptables registers an extension only if the kernel has a revision of it; otherwise `-j MARK` is
    // read as a jump to a chain and the extension's own option comes out as "unknown option". Only
    // options that belong to a known extension count; any other unknown option is left alone.
    patterns: [
      /(?<family>ip6?tables)(?:-(?:legacy|nft))?(?:-restore)?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy|nf_tables)\))?)?: unknown option [`'"]--(?<option>[a-z][a-z-]{1,40})['`"]/,
    ],
    derive: 'option-owner',
    when: { derivedModules: true },
    explanation:
      'iptables did not know the option --{option}: the {extension} it belongs to was not registered because the kernel offers no revision of it ({modules} missing, not loaded, or broken in this kernel), so the rule was read without it.',
    remediation: [
      ...FIX_LOAD,
      'If the module is loaded and this still happens after a kernel update, the kernel build itself lacks the extension for this family: roll back or update the kernel',
    ],
    source:
      'https://github.com/bottlerocket-os/bottlerocket/issues/4295 (ip6tables-restore v1.8.4 (legacy): unknown option "--xor-mark"; a kernel 5.15 backport broke the IPv6 MARK target); ' +
      'netfilter iptables libxtables/xtables.c (xtables_fully_register_pending_target checks the kernel revision; iptables/xshared.c "unknown option")',
  },
  {
    id: 'nft-rule-append-enoent',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    priority: 45,
    // ENOENT / EOPNOTSUPP / EPROTONOSUPPORT from the nf_tables batch: the kernel has no expression (or
    // nft_compat revision) for something the rule uses. A missing chain never gets this far: iptables-nft
    // checks its cache first and says "No chain/target/match by that name".
    patterns: [
      // RULE_* batch errors exist only in iptables-nft, so the version tag may be missing (Istio strips it).
      /(?<family>ip6?tables)(?:-(?:nft|restore))*(?: v\d+(?:\.\d+){1,2})?(?: \((?<backend>nf_tables)\))?:\s+RULE_(?:APPEND|INSERT|REPLACE) failed \((?:No such file or directory|Operation not supported|Protocol not supported)\)(?:: rule in chain (?<chain>[A-Za-z0-9_-]+))?/,
    ],
    derive: 'previous-command',
    // (without the rule or an extension to name it says nothing: left to the other readings, or unknown)
    when: { ruleWithoutExtension: false, derivedModules: true },
    explanation:
      'The nf_tables kernel refused to add a rule{chainIn}: a match or target it uses has no kernel support ({modules}).',
    remediation: [
      ...FIX_LOAD,
      'If the node itself uses iptables-legacy, run the mesh in legacy mode instead (Linkerd: proxyInit.iptablesMode=legacy)',
    ],
    source: 'https://github.com/linkerd/linkerd2/issues/13171; https://github.com/jamesmcm/vopono/issues/297; https://github.com/openwrt/openwrt/issues/13860; https://github.com/k3s-io/k3s/issues/12712 (RULE_INSERT)',
  },
  {
    id: 'nft-restore-line-rule-failed',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    // Below CHAIN_ADD (46): when the base chains themselves fail, every rule after them fails too.
    priority: 45,
    // iptables-nft-restore >= 1.8.5 names the input line: `line 4: RULE_APPEND failed (...)`; the rule
    // to blame is that line of the restore input the mesh logged.
    patterns: [
      // The prefix may stand on the line before (`iptables-restore v1.8.1 (nf_tables): ` then one line per
      // error), or be joined with `, ` by a Go wrapper that collapses stderr.
      /(?:(?<family>ip6?tables)(?:-(?:nft|restore))*(?: v\d+(?:\.\d+){1,2})? \((?<backend>nf_tables)\):[\s,]{0,4}|^\s{0,4})line (?<line>\d+): RULE_(?:APPEND|INSERT|REPLACE) failed \((?:No such file or directory|Operation not supported|Protocol not supported)\)(?:: rule in chain (?<chain>[A-Za-z0-9_-]+))?/,
    ],
    derive: 'restore-line',
    explanation:
      'The nf_tables kernel refused line {line} of the restore input{restoreLineQuoted}{chainIn}: a match or target it uses has no kernel support ({modules}).',
    remediation: [
      ...FIX_LOAD,
      'If the node itself uses iptables-legacy, run the mesh in legacy mode instead (Linkerd: proxyInit.iptablesMode=legacy)',
    ],
    source: 'https://github.com/netblue30/firejail/issues/2232 (iptables-restore v1.8.1 (nf_tables): then `line 5: RULE_APPEND failed (No such file or directory): rule in chain INPUT`); netfilter iptables iptables/nft.c (batch errors as "line %u: %s failed (%s)")',
  },
  {
    id: 'nft-couldnt-find-extension',
    category: 'missing-xtables-extension',
    nodeProblem: true,
    priority: 55,
    // iptables-nft's wording when the kernel has no revision of an xtables extension (legacy: "Couldn't load").
    patterns: [/Couldn't find (?<kind>match|target) [`'"](?<ext>[A-Za-z0-9]+)['`"]?/],
    when: { extensionKnown: true },
    explanation:
      'iptables-nft found no kernel support for the xtables {extension}: {modules} is missing or not loaded on the node (nf_tables runs xtables extensions through nft_compat).',
    remediation: FIX_LOAD,
    source: 'https://github.com/k3s-io/k3s/issues/6184; https://github.com/k3s-io/k3s/issues/1812 (iptables v1.8.6 (nf_tables): Couldn\'t find match `conntrack\')',
  },
  {
    id: 'nft-not-in-kernel',
    category: 'missing-kernel-module',
    nodeProblem: true,
    // EPROTONOSUPPORT from nfnetlink: the kernel has no nf_tables at all (EINVAL, a too old one, is backend.ts).
    priority: 63,
    // The nft CLI has no legacy fallback, so for it the kernel is simply missing nf_tables; iptables-nft
    // saying the same is a backend choice (backend.ts, nft-front-end-without-nf-tables).
    patterns: [/Unable to initialize Netlink socket: Protocol not supported/],
    derive: 'none',
    modules: ['nf_tables'],
    explanation:
      'nft could not talk to nf_tables: the kernel answered "Protocol not supported", so nf_tables (and nfnetlink) is not in this kernel or not loaded.',
    remediation: [
      'On this node: modprobe nf_tables (then mesh-preflight fix to persist it); if the module does not exist, the kernel was built without CONFIG_NF_TABLES',
      'Or run the mesh with the legacy backend on this node (Linkerd: proxyInit.iptablesMode=legacy; update-alternatives --set iptables /usr/sbin/iptables-legacy for host tools)',
    ],
    source: 'https://github.com/arloor/nftables-nat-rust/issues/12 (nft: Unable to initialize Netlink socket, CentOS 7); https://github.com/intelligent-agent/Refactor/issues/169',
  },
  {
    id: 'ipvs-not-in-kernel',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // The IPVS generic-netlink family exists only while ip_vs is loaded: asking for it gets ENOENT.
    patterns: [
      /\bIPVS\b[^\n]{0,80}netlink receive: no such file or directory/i,
      /Can't initialize ipvs: Protocol not available/,
      // the IPVS sysctls (/proc/sys/net/ipv4/vs/*) exist only while ip_vs is loaded
      /\/proc\/sys\/net\/ipv4\/vs\/[a-z_]+["']?:? (?:\[Errno 2\] )?no such file or directory/i,
      // kubeadm's preflight and kube-proxy (pkg/proxy/ipvs): the modules it found neither loaded nor built in
      /the following required kernel modules are not loaded: \[(?<modules>[a-z0-9_ ,]{2,200})\]/,
    ],
    modules: ['ip_vs'],
    explanation:
      'IPVS is not available in this node\'s kernel right now: the ip_vs module (and its schedulers, e.g. ip_vs_rr) is not loaded, so its netlink family does not exist.',
    remediation: [...FIX_LOAD, 'Load the schedulers the component uses too (ip_vs_rr ip_vs_wrr ip_vs_sh)'],
    source: 'linux net/netfilter/ipvs/ip_vs_ctl.c (genl family "IPVS" registered by ip_vs); https://github.com/onedr0p/cluster-template/pull/612 (kube-vip: Error starting IPVS, netlink ENOENT); keepalived ("Can\'t initialize ipvs: Protocol not available")',
  },
  {
    id: 'bridge-nf-sysctl-absent',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // net.bridge.bridge-nf-call-* exist only while br_netfilter is loaded (loading `bridge` alone does not
    // create them since 3.18).
    patterns: [
      /\/proc\/sys\/net\/bridge\/bridge-nf-call-(?:ip6?tables|arptables)["']?(?::? (?:\[Errno 2\] )?no such file or directory| does not exist)/i,
      /sysctl: (?:error: )?[`'"]?net\.bridge\.bridge-nf-call-(?:ip6?tables|arptables)[`'"]? is an unknown key/,
    ],
    derive: 'none',
    modules: ['br_netfilter'],
    explanation:
      'The bridge netfilter sysctls are missing: br_netfilter is not loaded on this node, so traffic between pods on the same bridge bypasses iptables (and the mesh\'s rules).',
    remediation: [...FIX_LOAD, 'Then: sysctl -w net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1'],
    source:
      'https://gist.github.com/rajaduraicloud/c240832ee062737b3b0c5e8a32462460 (sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables; fixed by modprobe br_netfilter); ' +
      'kubernetes/kubernetes cmd/kubeadm/app/preflight/checks.go (FileContent check: "%s does not exist")',
  },
  {
    id: 'ipset-set-type-not-in-kernel',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 45,
    // ipset's netlink answer when the set type's module (ip_set_hash_ip, ip_set_list_set, ...) is absent;
    // the type comes from the `ipset create NAME TYPE` command on or just before the line.
    patterns: [/(?:\bipset v\d+(?:\.\d+){1,2}: |^)Kernel error received: set type not supported/i],
    derive: 'link-kind',
    modules: ['ip_set'],
    explanation: 'The kernel\'s ipset support lacks the set type the tool creates: {modules} is not loaded or not built on this node.',
    remediation: [...FIX_LOAD],
    source: 'https://github.com/cloudnativelabs/kube-router/issues/539 (set type not supported); https://github.com/chaos-mesh/chaos-mesh/issues/2300 (ipset create ... list:set)',
  },
  {
    id: 'ipset-kernel-behind',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // The kernel's ip_set (or the set type's module) is older than, or lacks an extension of, what the
    // ipset user wants: "comment" arrived in hash:ip revision 3.
    patterns: [
      /to ipset \S{1,80}: invalid comment/,
      /Your kernel is behind your ipset utility/,
      // istio-cni's ipset over netlink: EPROTONOSUPPORT means no ip_set in the kernel (cni/pkg/ipset/nldeps_linux.go)
      /error initializing host (?:addressSet manager|ipset|side ipset): [^\n]{0,200}protocol not supported/i,
      // ipset's netlink answer when the set type's module (ip_set_hash_ip, ip_set_hash_net, ...) is absent

    ],
    derive: 'none',
    modules: ['ip_set', 'ip_set_hash_ip'],
    explanation:
      'The node\'s kernel ipset support does not accept what the mesh adds (a set with comments): ip_set and its hash:ip module are missing, or too old for the ipset extensions the mesh uses.',
    remediation: [...FIX_LOAD, 'If they are loaded already, the kernel\'s ipset is too old: use a kernel (or distribution kernel package) with current ip_set modules'],
    source: 'https://github.com/istio/istio/issues/54810 (istio-cni ambient: failed to add IP to ipset istio-inpod-probes-v4: invalid comment); https://github.com/cloudnativelabs/kube-router/issues/539 (set type not supported); netfilter ipset lib/errcode.c ("Your kernel is behind your ipset utility")',
  },
  {
    id: 'nfqueue-no-kernel-support',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // libnetfilter_queue (and its Go ports) open a NETLINK_NETFILTER socket: EPROTONOSUPPORT means nfnetlink
    // (and nfnetlink_queue under it) is not in the kernel.
    patterns: [/Error opening Queue handle: protocol not supported/i],
    modules: ['nfnetlink', 'nfnetlink_queue'],
    explanation: 'The kernel has no netfilter queue support: {modules} is not loaded or not built, so no NFQUEUE consumer (an application firewall, an IDS) can attach.',
    remediation: [...FIX_LOAD],
    source: 'https://github.com/evilsocket/opensnitch/issues/412 (Error opening Queue handle: protocol not supported)',
  },
  {
    id: 'ipset-no-kernel-session',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // ipset opens a NETLINK_NETFILTER socket first; it fails when nfnetlink / ip_set are not in the
    // kernel (a missing privilege shows later, as "Kernel error received: Operation not permitted").
    patterns: [/\bipset v\d+(?:\.\d+){1,2}: Cannot open session to kernel\.?/],
    modules: ['ip_set'],
    explanation: 'ipset could not talk to the kernel: ip_set (and nfnetlink under it) is not loaded on this node, so no IP set, and no rule matching one, can be created.',
    remediation: [...FIX_LOAD],
    source: 'netfilter/ipset lib/session.c (ipset_cmd: "Cannot open session to kernel.")',
  },
  {
    id: 'ipvs-scheduler-not-in-kernel',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // ip_vs answers ENOENT to a new virtual service whose scheduler module (ip_vs_rr for kube-proxy's
    // default round robin) is not loaded and cannot be.
    patterns: [/Failed to add IPVS service "[^"\n]{1,200}": no such file or directory/],
    modules: ['ip_vs_rr'],
    explanation:
      'IPVS is there but refuses every new service: the scheduler\'s module is not loaded ({modules} for the default round robin; ip_vs_wrr, ip_vs_sh… for others).',
    remediation: [...FIX_LOAD, 'If kube-proxy uses another scheduler (ipvs.scheduler), load its ip_vs_<scheduler> module instead'],
    source: 'https://github.com/kubernetes/kubernetes/issues/92033 ("Log errors when ip_vs_* kernel modules are not loaded")',
  },
  {
    id: 'tunnel-link-not-supported',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // A CNI or VPN creating its tunnel device through netlink: EOPNOTSUPP means no link type of that
    // kind is registered, i.e. its module is not in the kernel.
    patterns: [
      /\b(?:create|add|creating|adding)\b[^\n]{0,40}?\b(?<module>wireguard|vxlan|geneve)\b[^\n]{0,20}?\b(?:interface|link|device)\b[^\n]{0,120}?(?::|err=) ?(?:operation not supported|unknown device type)/i,
      // the CNI bridge/macvlan/ipvlan plugins: `failed to create bridge "cni0": could not add "cni0": operation not supported`
      /\bfailed to create (?<module>bridge|macvlan|ipvlan|veth|vxlan)\b[^\n]{0,160}?: operation not supported/i,
    ],
    explanation: 'The kernel cannot create the {modules} interface the network needs: the {modules} module is not in this node\'s kernel (or not loaded).',
    remediation: [...FIX_LOAD, 'Or choose a backend this kernel supports (e.g. flannel vxlan or host-gw instead of wireguard-native)'],
    source: 'https://github.com/k3s-io/k3s/issues/11166 (flannel: could not create wireguard interface: operation not supported, CentOS 7 kernel); https://github.com/containers/podman/issues/4114 (CNI bridge: could not add "cni-podman0": operation not supported); https://github.com/rancher/rancher/issues/9677 (Error creating vxlan interface: err=operation not supported)',
  },
  {
    id: 'qdisc-kind-not-in-kernel',
    ...QDISC_MISSING,
    // The kernel's extack when no queueing discipline of that kind is registered (net/sched/sch_api.c;
    // "Specified qdisc not found" before 5.19): its sch_* module is not in the kernel or not loaded.
    // Fault injectors (netem) and bandwidth plugins (tbf) hit it on minimal kernels.
    patterns: [/(?:^|: )(?:Error: )?Specified qdisc kind is unknown\.?\s*$/],
    source: 'torvalds/linux net/sched/sch_api.c (qdisc_create: "Specified qdisc kind is unknown", formerly "Specified qdisc not found")',
  },
  {
    id: 'qdisc-not-found-on-add',
    ...QDISC_MISSING,
    // Kernels before 5.19 said "Specified qdisc not found" for an unknown kind, a wording they also use
    // for a missing handle: it counts only right after a `tc qdisc add` whose kind has a module.
    patterns: [/(?:^|: )(?:Error: )?Specified qdisc not found\.?\s*$/],
    when: { derivedModules: true },
    source: 'torvalds/linux net/sched/sch_api.c (qdisc_create before 5.19: "Specified qdisc not found")',
  },
  {
    id: 'ebtables-table-not-in-kernel',
    category: 'missing-iptables-table',
    nodeProblem: true,
    priority: 55,
    // ebtables (bridge firewall: fault injectors, KubeVirt, libvirt) cannot open a table whose ebtable_*
    // module the kernel does not have.
    patterns: [/The kernel doesn't support the ebtables '(?<ebtable>[a-z]+)' table/],
    explanation: 'The kernel has no ebtables {table} table ({modules} not loaded or not built): bridge-level rules cannot be set on this node.',
    remediation: [...FIX_LOAD],
    source: 'https://github.com/chaos-mesh/chaos-mesh/issues/4313 (The kernel doesn\'t support the ebtables \'nat\' table); netfilter ebtables libebtc.c',
  },
  {
    id: 'link-kind-not-in-kernel',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // iproute2's answer when no rtnl_link_ops is registered for the kind (the module is not loaded and
    // could not be auto-loaded): the kind is on the `ip link add` command just before.
    patterns: [/^(?:Error: Unknown device type\.?|RTNETLINK answers: Operation not supported)\s*$/],
    derive: 'link-kind',
    when: { derivedModules: true },
    explanation:
      'The kernel could not create the network interface the log asks for: {modules} (the module behind that link type) is not loaded and could not be loaded on this node.',
    remediation: [...FIX_LOAD],
    source: 'https://github.com/cmulk/wireguard-docker/issues/3 (ip link add wg0 type wireguard: Error: Unknown device type.)',
  },
  {
    id: 'wireguard-not-in-kernel',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // wireguard-tools' `wg` talks to the kernel over the "wireguard" generic netlink family; without the
    // module the family does not exist and the kernel answers EPROTONOSUPPORT.
    patterns: [/^Unable to (?:access|modify) interface: Protocol not supported\s*$/],
    modules: ['wireguard'],
    explanation: 'WireGuard has no kernel support on this node: the wireguard module is not loaded and could not be loaded.',
    remediation: [...FIX_LOAD],
    source: 'https://github.com/cmulk/wireguard-docker/issues/3 (wg-quick: Unable to access interface: Protocol not supported)',
  },
  {
    id: 'conntrack-sysctl-absent',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // The net.netfilter.nf_conntrack_* sysctls exist only while nf_conntrack is loaded (kube-proxy sets
    // nf_conntrack_max at start); their absence means the module is not loaded or not in the kernel.
    patterns: [
      /(?:open|stat|write) \/proc\/sys\/net\/netfilter\/nf_conntrack_[a-z_]+: no such file or directory/i,
      // Python and other runtimes quote the path and put the errno before the message.
      /\/proc\/sys\/net\/netfilter\/nf_conntrack_[a-z_]+["']?:? (?:\[Errno 2\] )?no such file or directory/i,
      /sysctl: (?:error: )?[`'"]?net\.netfilter\.nf_conntrack_[a-z_]{1,60}[`'"]? is an unknown key/,
    ],
    derive: 'none',
    modules: ['nf_conntrack'],
    explanation:
      'The nf_conntrack sysctls under /proc/sys/net/netfilter are missing: nf_conntrack is not loaded on this node (or not in its kernel); NAT and the mesh\'s REDIRECT rules need it.',
    remediation: [...FIX_LOAD],
    source:
      'kubernetes/kubernetes cmd/kube-proxy/app/conntrack.go (sets nf_conntrack_max via /proc/sys/net/netfilter); https://github.com/kubernetes/kops/issues/17915; ' +
      'https://github.com/firewalld/firewalld/issues/353 (Failed to read file "/proc/sys/net/netfilter/nf_conntrack_helper": [Errno 2] No such file or directory)',
  },
  {
    id: 'nft-family-not-in-kernel',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // Before 5.x, each nf_tables family was its own module (nf_tables_inet, nf_tables_ipv6,
    // nf_tables_bridge...): EAFNOSUPPORT for `add table <family>` means that family's module is missing.
    patterns: [/Error: Could not process rule: Address family not supported by protocol/],
    derive: 'nft-statement',
    explanation: 'This kernel\'s nf_tables does not support the table family the command uses ({modules}): an old kernel without that family module, or nf_tables built without it.',
    remediation: [...FIX_LOAD, 'On a current kernel every family is part of nf_tables: update the kernel'],
    source: 'https://github.com/firewalld/firewalld/issues/411 (nft add table inet firewalld: Address family not supported by protocol)',
  },
  {
    id: 'nft-cli-not-supported',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 44,
    // nft's EOPNOTSUPP: the kernel has nf_tables but not the family, chain type or expression asked for.
    patterns: [/Error: Could not process rule: Operation not supported/],
    derive: 'nft-statement',
    explanation:
      'nft could not add a rule: the kernel does not support an expression, chain type or family it uses ({modules}; the statement nft printed under the error names it).',
    remediation: [
      'On this node: modprobe {modules}, then mesh-preflight fix to persist it',
      'mesh-preflight check --backend nft lists the nf_tables modules this node lacks',
    ],
    source: 'https://github.com/ViRb3/wgcf/issues/55; https://github.com/bol-van/zapret/issues/698; https://github.com/arloor/nftables-nat-rust/issues/9; https://github.com/Tunnelsats/tunnelsats/issues/21',
  },
  {
    id: 'nft-cli-expression-enoent',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 43,
    // ENOENT from nft is usually a missing table/chain (configuration); only an expression module named
    // in the echoed statement (fib, masquerade, tproxy...) makes it a kernel finding.
    patterns: [/Error: Could not process rule: No such file or directory/i],
    derive: 'nft-statement',
    when: { derivedModules: true },
    explanation:
      'nft could not add a rule that uses an expression the kernel does not have: {modules} is missing or not loaded (nf_tables answers "No such file or directory" for an unknown expression).',
    remediation: ['On this node: modprobe {modules}, then mesh-preflight fix to persist it', 'If modprobe fails, the kernel lacks the option (e.g. CONFIG_NFT_FIB_IPV4)'],
    source: 'https://github.com/siderolabs/pkgs/issues/951 (kube-proxy nftables mode: fib without CONFIG_NFT_FIB_IPV4)',
  },
  {
    id: 'istio-no-loaded-kernel-support',
    category: 'missing-kernel-module',
    nodeProblem: true,
    priority: 40,
    patterns: [/iptables binary (?<binary>(?<family>ip6?tables)(?:-(?:legacy|nft))?) has no loaded kernel support and cannot be used/],
    modules: ['{core}'],
    explanation:
      'Istio probed {binary} and found no rules or tables for it in the kernel: {modules} is not loaded for that backend.',
    remediation: FIX_LOAD,
    source: 'https://github.com/istio/istio/issues/58507',
  },
];
