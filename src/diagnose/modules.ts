/**
 * Generic derivation of kernel modules from what an iptables message names: a table, an xtables
 * match/target, or a module alias. Names follow current kernels (xt_* for x_tables extensions,
 * iptable_* / ip6table_* for legacy tables, nft_chain_nat / nf_tables / nft_compat for nf_tables).
 */
import type { RuleBackend } from '../core/report.ts';
import { GENERATED_OPTION_OWNERS } from './option-owners.generated.ts';

export type IpFamily = 'ipv4' | 'ipv6';

/** `ip6tables`, `ip6tables-restore` → ipv6; anything else → ipv4. */
export function familyOf(binary: string | undefined): IpFamily {
  return binary !== undefined && /^ip6/.test(binary) ? 'ipv6' : 'ipv4';
}

/** `nf_tables`, `nft`, `iptables-nft-save` → nft; `legacy`, `iptables-legacy` → legacy. */
export function backendOf(text: string | undefined): RuleBackend | undefined {
  if (!text) return undefined;
  if (/nf_tables|(?:^|-)nft\b/.test(text)) return 'nft';
  if (/legacy/.test(text)) return 'legacy';
  return undefined;
}

/** The module that provides the table framework itself: ip_tables / ip6_tables, or nf_tables. */
export function coreModule(family: IpFamily, backend: RuleBackend | undefined): string {
  if (backend === 'nft') return 'nf_tables';
  return family === 'ipv6' ? 'ip6_tables' : 'ip_tables';
}

/**
 * Modules behind one table. Legacy: iptable_<t> / ip6table_<t> on top of ip_tables / ip6_tables.
 * nft: tables are nf_tables objects; only nat needs its own chain type module (nft_chain_nat, 5.1+).
 */
export function tableModules(table: string, family: IpFamily, backend: RuleBackend | undefined): string[] {
  const t = table.toLowerCase();
  if (backend === 'nft') return t === 'nat' ? ['nft_chain_nat', 'nf_tables'] : ['nf_tables'];
  return family === 'ipv6' ? [`ip6table_${t}`, 'ip6_tables'] : [`iptable_${t}`, 'ip_tables'];
}

// Extensions that live in a module whose name is not xt_<name> (merged or shared modules).
const EXTENSION_MODULE: Record<string, string> = {
  tcp: 'xt_tcpudp',
  udp: 'xt_tcpudp',
  mark: 'xt_mark',
  MARK: 'xt_mark',
  connmark: 'xt_connmark',
  CONNMARK: 'xt_connmark',
  CT: 'xt_CT',
  NOTRACK: 'xt_CT',
  DNAT: 'xt_nat',
  SNAT: 'xt_nat',
  state: 'xt_state',
  TPROXY: 'xt_TPROXY',
};

/**
 * Every xtables target the kernel ships (net/netfilter/xt_*.c, ipv4/ipv6 *t_*.c); an upper-case jump
 * target not in this list is a user-defined chain (ISTIO_REDIRECT, DOCKER, KUBE-MARK-DROP), not an extension.
 */
export const KNOWN_TARGETS: ReadonlySet<string> = new Set([
  'ACCEPT', 'DROP', 'RETURN', 'QUEUE', 'AUDIT', 'CHECKSUM', 'CLASSIFY', 'CLUSTERIP', 'CONNMARK', 'CONNSECMARK',
  'CT', 'DNAT', 'DNPT', 'DSCP', 'ECN', 'HL', 'HMARK', 'IDLETIMER', 'LED', 'LOG', 'MARK', 'MASQUERADE', 'NETMAP',
  'NFLOG', 'NFQUEUE', 'NOTRACK', 'RATEEST', 'REDIRECT', 'REJECT', 'SECMARK', 'SET', 'SNAT', 'SNPT', 'SYNPROXY',
  'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TPROXY', 'TRACE', 'TTL', 'ULOG',
]);

/** Whether a name is an xtables extension (a lower-case match, or a known target), not a chain. */
export function isExtensionName(name: string, kind?: 'match' | 'target'): boolean {
  if (kind === 'match') return true;
  if (/^[a-z0-9]+$/.test(name)) return true;
  return KNOWN_TARGETS.has(name);
}

/** Targets built into the core that need no module. */
export const BUILTIN_TARGETS: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);

// Extensions that were never merged into x_tables: one module per family (net/ipv4/netfilter/ipt_REJECT.c,
// net/ipv6/netfilter/ip6t_REJECT.c), so there is no xt_REJECT to load.
const PER_FAMILY_EXTENSIONS: ReadonlySet<string> = new Set(['REJECT', 'CLUSTERIP', 'ECN', 'ah', 'rpfilter']);

/** Modules behind one xtables extension (`owner` → xt_owner, `REDIRECT` → xt_REDIRECT, `REJECT` → ipt_REJECT); nft adds nft_compat. */
export function extensionModules(extension: string, backend: RuleBackend | undefined, family: IpFamily = 'ipv4'): string[] {
  if (BUILTIN_TARGETS.has(extension)) return [];
  const module = PER_FAMILY_EXTENSIONS.has(extension)
    ? `${family === 'ipv6' ? 'ip6t' : 'ipt'}_${extension}`
    : (EXTENSION_MODULE[extension] ?? `xt_${extension}`);
  return backend === 'nft' ? [module, 'nft_compat'] : [module];
}

// Aliases the kernel requests (SELinux `kmod="..."`, modprobe) mapped to the module that answers them.
// nfnetlink subsystems by number (include/uapi/linux/netfilter/nfnetlink.h NFNL_SUBSYS_*).
const MODULE_ALIAS: Record<string, string> = {
  'nfnetlink-subsys-1': 'nf_conntrack_netlink', // CTNETLINK
  'nfnetlink-subsys-2': 'nf_conntrack_netlink', // CTNETLINK_EXP
  'nfnetlink-subsys-3': 'nfnetlink_queue', // QUEUE
  'nfnetlink-subsys-4': 'nfnetlink_log', // ULOG
  'nfnetlink-subsys-5': 'nfnetlink_osf', // OSF
  'nfnetlink-subsys-6': 'ip_set', // IPSET
  'nfnetlink-subsys-7': 'nfnetlink_acct', // ACCT
  'nfnetlink-subsys-8': 'nfnetlink_cttimeout', // CTNETLINK_TIMEOUT
  'nfnetlink-subsys-9': 'nfnetlink_cthelper', // CTHELPER
  'nfnetlink-subsys-10': 'nf_tables', // NFTABLES
  'nfnetlink-subsys-11': 'nft_compat', // NFT_COMPAT
  'nfnetlink-subsys-12': 'nfnetlink_hook', // HOOK
};

// Names people (and scripts) pass to modprobe that are userspace tools or packages, not kernel modules:
// `modprobe iptables` / `modprobe nftables` fail with "Module ... not found" on every kernel, so the
// name says nothing about what the kernel lacks (inindev/linux-rockchip#8; fail2ban/fail2ban#4182,
// closed as incorrect). The kernel's own names are ip_tables, ip6_tables, nf_tables, arp_tables,
// nf_conntrack, ip_set, x_tables. `ebtables` is left out on purpose: it IS a kernel module
// (net/bridge/netfilter/Makefile: obj-$(CONFIG_BRIDGE_NF_EBTABLES) += ebtables.o).
const USERSPACE_NAMES: ReadonlySet<string> = new Set([
  'iptables', 'ip6tables', 'iptables_legacy', 'iptables_nft', 'ip6tables_legacy', 'ip6tables_nft',
  'nftables', 'nft', 'arptables', 'xtables', 'conntrack', 'ipset', 'netfilter',
]);

/** Whether a name taken from a log can be a kernel module (not a userspace tool or package name such as `iptables`). */
export function isKernelModuleName(name: string): boolean {
  return /^[A-Za-z0-9_]{2,64}$/.test(name) && !USERSPACE_NAMES.has(name.toLowerCase());
}

/** A module name as printed by modprobe or SELinux, normalised (`-` → `_`, `ipt_X` → `xt_X`). */
export function normalizeModule(name: string): string {
  const alias = MODULE_ALIAS[name];
  if (alias) return alias;
  const underscored = name.replace(/-/g, '_');
  const legacyExt = /^ip6?t_([A-Za-z0-9]+)$/.exec(underscored);
  return legacyExt?.[1] && !PER_FAMILY_EXTENSIONS.has(legacyExt[1]) ? `xt_${legacyExt[1]}` : underscored;
}

/** Extensions used by one iptables command or restore line: `-m owner`, `--match multiport`, `-j REDIRECT`. */
export function extensionsInRule(rule: string): { kind: 'match' | 'target'; name: string }[] {
  const found: { kind: 'match' | 'target'; name: string }[] = [];
  const seen = new Set<string>();
  for (const m of rule.matchAll(/(?:^|\s)(-m|--match|-j|--jump)\s+([A-Za-z0-9_]{1,40})/g)) {
    const kind = m[1] === '-m' || m[1] === '--match' ? 'match' : 'target';
    const name = m[2] ?? '';
    // Chains the mesh defines (ISTIO_REDIRECT, PROXY_INIT_OUTPUT) are jump targets, not extensions.
    if (name.includes('_') || BUILTIN_TARGETS.has(name) || seen.has(name) || !isExtensionName(name, kind)) continue;
    seen.add(name);
    found.push({ kind, name });
  }
  return found;
}

// nft statement keywords whose expression lives in its own module (net/netfilter/nft_*.c). Statements
// without one of these use only nf_tables core expressions, so nothing more can be named from them.
const NFT_STATEMENT_MODULES: readonly [string, (family: string) => string][] = [
  ['type nat hook', () => 'nft_chain_nat'],
  ['masquerade', () => 'nft_masq'],
  ['redirect', () => 'nft_redir'],
  ['tproxy', () => 'nft_tproxy'],
  ['socket', () => 'nft_socket'],
  ['fib', (f) => (f === 'ip' ? 'nft_fib_ipv4' : f === 'ip6' ? 'nft_fib_ipv6' : 'nft_fib_inet')],
  ['dnat to', () => 'nft_nat'],
  ['snat to', () => 'nft_nat'],
  ['ct state', () => 'nft_ct'],
  ['ct mark', () => 'nft_ct'],
  ['ct status', () => 'nft_ct'],
  ['ct zone', () => 'nft_ct'],
  ['queue', () => 'nft_queue'],
  ['limit rate', () => 'nft_limit'],
  ['reject', (f) => (f === 'inet' ? 'nft_reject_inet' : 'nft_reject')],
  ['log', () => 'nft_log'],
  ['quota', () => 'nft_quota'],
  ['numgen', () => 'nft_numgen'],
  ['jhash', () => 'nft_hash'],
  ['osf', () => 'nft_osf'],
];

/** Modules behind one nft statement as `nft` echoes it under an error (`add rule ip t c fib saddr type local ...`). */
export function nftStatementModules(statement: string): string[] {
  const family = /^\s*(?:add|insert|create|replace)\s+(?:rule|chain|table)\s+(ip|ip6|inet|arp|bridge|netdev)\b/.exec(statement)?.[1] ?? 'ip';
  // Keywords count only as whole words: not inside comments ("masquerade local traffic") or chain names (mark-for-masquerade).
  const words = ` ${statement.replace(/"[^"\n]{0,400}"/g, ' ').split(/\s+/).join(' ')} `;
  const out: string[] = [];
  for (const [keyword, name] of NFT_STATEMENT_MODULES) {
    const n = name(family);
    if (words.includes(` ${keyword} `) && !out.includes(n)) out.push(n);
  }
  // A bare table or chain the kernel refuses: nf_tables itself.
  if (out.length === 0 && /^\s*(?:(?:add|create)\s+(?:table|chain)\s|flush\s+ruleset\b|list\s+ruleset\b)/.test(statement)) out.push('nf_tables');
  return out;
}

// Options that belong to one xtables extension (libxt_*.c option tables). When the kernel has no
// revision of an extension, iptables never registers it, reads `-j MARK` as a jump to a chain, and then
// rejects the extension's own option as unknown (`unknown option "--xor-mark"`).
const OPTION_OWNERS: Record<string, { kind: 'match' | 'target'; names: string[] }> = {
  'to-ports': { kind: 'target', names: ['REDIRECT', 'MASQUERADE'] },
  'to-port': { kind: 'target', names: ['TPROXY'] },
  'on-port': { kind: 'target', names: ['TPROXY'] },
  'on-ip': { kind: 'target', names: ['TPROXY'] },
  'tproxy-mark': { kind: 'target', names: ['TPROXY'] },
  'set-mark': { kind: 'target', names: ['MARK', 'CONNMARK'] },
  'set-xmark': { kind: 'target', names: ['MARK', 'CONNMARK'] },
  'xor-mark': { kind: 'target', names: ['MARK', 'CONNMARK'] },
  'and-mark': { kind: 'target', names: ['MARK', 'CONNMARK'] },
  'or-mark': { kind: 'target', names: ['MARK', 'CONNMARK'] },
  'save-mark': { kind: 'target', names: ['CONNMARK'] },
  'restore-mark': { kind: 'target', names: ['CONNMARK'] },
  'to-destination': { kind: 'target', names: ['DNAT'] },
  'to-source': { kind: 'target', names: ['SNAT'] },
  'random-fully': { kind: 'target', names: ['MASQUERADE', 'SNAT'] },
  zone: { kind: 'target', names: ['CT'] },
  notrack: { kind: 'target', names: ['CT'] },
  'reject-with': { kind: 'target', names: ['REJECT'] },
  'log-prefix': { kind: 'target', names: ['LOG'] },
  'set-mss': { kind: 'target', names: ['TCPMSS'] },
  'clamp-mss-to-pmtu': { kind: 'target', names: ['TCPMSS'] },
  'checksum-fill': { kind: 'target', names: ['CHECKSUM'] },
  'uid-owner': { kind: 'match', names: ['owner'] },
  'gid-owner': { kind: 'match', names: ['owner'] },
  'socket-exists': { kind: 'match', names: ['owner'] },
  mark: { kind: 'match', names: ['mark', 'connmark'] },
  dports: { kind: 'match', names: ['multiport'] },
  sports: { kind: 'match', names: ['multiport'] },
  ctstate: { kind: 'match', names: ['conntrack'] },
  ctstatus: { kind: 'match', names: ['conntrack'] },
  ctorigdst: { kind: 'match', names: ['conntrack'] },
  ctorigdstport: { kind: 'match', names: ['conntrack'] },
  state: { kind: 'match', names: ['state'] },
  comment: { kind: 'match', names: ['comment'] },
  'match-set': { kind: 'match', names: ['set'] },
  probability: { kind: 'match', names: ['statistic'] },
  every: { kind: 'match', names: ['statistic'] },
  transparent: { kind: 'match', names: ['socket'] },
  nowildcard: { kind: 'match', names: ['socket'] },
  'dst-type': { kind: 'match', names: ['addrtype'] },
  'src-type': { kind: 'match', names: ['addrtype'] },
  'physdev-is-bridged': { kind: 'match', names: ['physdev'] },
  'physdev-in': { kind: 'match', names: ['physdev'] },
  'physdev-out': { kind: 'match', names: ['physdev'] },
};

// tcp/udp options are an extension's only when the rule loads it (`-p tcp`, `-m udp`): without it,
// `unknown option "--dport"` is the classic rule written without a protocol.
const PROTOCOL_OPTIONS: ReadonlySet<string> = new Set(['dport', 'sport', 'destination-port', 'source-port', 'tcp-flags', 'syn', 'tcp-option']);

/**
 * The extension an option belongs to (`--uid-owner` → match owner). When several extensions share an
 * option (`--to-ports`: REDIRECT or MASQUERADE), the one the failing rule uses wins; without the rule,
 * the first (the one meshes use).
 */
export function extensionForOption(option: string, rule?: string): { kind: 'match' | 'target'; name: string } | undefined {
  const bare = option.replace(/^-+/, '');
  if (PROTOCOL_OPTIONS.has(bare)) {
    const protocol = rule ? /(?:^|\s)(?:-p|--protocol|-m|--match)\s+(tcp|udp)\b/.exec(rule)?.[1] : undefined;
    return protocol ? { kind: 'match', name: protocol } : undefined;
  }
  // The curated table orders shared options the way meshes use them; the generated one (every extension's
  // own --help) covers the rest.
  const generated = GENERATED_OPTION_OWNERS[bare];
  const owner = OPTION_OWNERS[bare] ?? (generated ? { kind: /^[A-Z]/.test(generated[0] ?? '') ? ('target' as const) : ('match' as const), names: [...generated] } : undefined);
  if (!owner) return undefined;
  const used = rule ? extensionsInRule(rule).map((e) => e.name) : [];
  const name = owner.names.find((n) => used.includes(n)) ?? owner.names[0];
  return name ? { kind: owner.kind, name } : undefined;
}

// `ip link add NAME type KIND`: the kernel module that provides each link kind (rtnl_link_ops).
const LINK_KIND_MODULES: Record<string, string> = {
  wireguard: 'wireguard',
  vxlan: 'vxlan',
  geneve: 'geneve',
  veth: 'veth',
  dummy: 'dummy',
  macvlan: 'macvlan',
  macvtap: 'macvtap',
  ipvlan: 'ipvlan',
  ipvtap: 'ipvtap',
  bridge: 'bridge',
  bond: 'bonding',
  vrf: 'vrf',
  vlan: '8021q',
  gre: 'ip_gre',
  gretap: 'ip_gre',
  ip6gre: 'ip6_gre',
  ip6gretap: 'ip6_gre',
  ipip: 'ipip',
  sit: 'sit',
  ip6tnl: 'ip6_tunnel',
  vti: 'ip_vti',
  xfrm: 'xfrm_interface',
  nlmon: 'nlmon',
  ifb: 'ifb',
};

// ipset 4's type names, still accepted as aliases (ipset lib/types.c).
const IPSET_OLD_TYPES: Record<string, string> = {
  iphash: 'ip_set_hash_ip',
  nethash: 'ip_set_hash_net',
  ipporthash: 'ip_set_hash_ipport',
  ipportiphash: 'ip_set_hash_ipportip',
  ipportnethash: 'ip_set_hash_ipportnet',
  ipmap: 'ip_set_bitmap_ip',
  macipmap: 'ip_set_bitmap_ipmac',
  portmap: 'ip_set_bitmap_port',
  setlist: 'ip_set_list_set',
};

// `tc qdisc add ... KIND`: each queueing discipline is a module sch_KIND (clsact lives in sch_ingress).
const QDISC_KINDS: ReadonlySet<string> = new Set([
  'netem', 'tbf', 'htb', 'prio', 'sfq', 'fq', 'fq_codel', 'cake', 'ingress', 'clsact', 'hfsc', 'red', 'drr',
  'mqprio', 'multiq', 'plug', 'pie', 'codel', 'qfq', 'cbs', 'etf', 'taprio', 'skbprio', 'sfb', 'choke',
]);

/**
 * The module behind the kind a command asks the kernel for, if it is one: the link kind of
 * `ip link add ... type KIND`, the set type of `ipset create NAME TYPE`, or the queueing discipline of
 * `tc qdisc add|replace|change ... KIND`.
 */
export function linkKindModule(command: string): string | undefined {
  const kind = /\bip\s+(?:-\S+\s+){0,3}link\s+add\b[^\n]{0,200}?\btype\s+([a-z0-9]+)/.exec(command)?.[1];
  if (kind) return LINK_KIND_MODULES[kind];
  // `ipset create NAME hash:ip,port` → ip_set_hash_ipport
  const set = /\bipset\s+(?:-\S+\s+){0,3}(?:create|-N|n)\s+(?:-\S+\s+){0,3}\S+\s+(?:(hash|bitmap|list):([a-z,]{2,40})|([a-z]{5,14})\b)/.exec(command);
  if (set?.[1] && set[2]) return `ip_set_${set[1]}_${set[2].replace(/,/g, '')}`;
  if (set?.[3] && IPSET_OLD_TYPES[set[3]]) return IPSET_OLD_TYPES[set[3]];
  const qdisc = /\btc\s+(?:-\S+\s+){0,3}qdisc\s+(?:add|replace|change)\b([^\n]{0,200})/.exec(command)?.[1];
  if (!qdisc) return undefined;
  const name = qdisc.split(/\s+/).find((word) => QDISC_KINDS.has(word));
  if (!name) return undefined;
  return name === 'clsact' ? 'sch_ingress' : `sch_${name}`;
}
