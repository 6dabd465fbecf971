/**
 * Netfilter constructs → kernel modules, per backend, and module → kernel config symbols.
 *
 * Module names are today's (Linux ≥ 5.1) names; checks/kernel-data/module-history.ts maps them to
 * what older kernels call them. Symbols were checked against the kernel's Makefiles
 * (torvalds/linux net/netfilter/Makefile, net/ipv4/netfilter/Makefile, net/ipv6/netfilter/Makefile,
 * net/bridge/Makefile: `obj-$(CONFIG_X) += module.o`) and a 6.18 /proc/config.gz.
 */
import type { RuleBackend } from '../../src/core/report.ts';
import type { Family } from '../../src/core/requirements.types.ts';
import type { Table } from '../profiles/types.ts';

const NF_MAKEFILE = 'torvalds/linux net/netfilter/Makefile';
const IPV4_MAKEFILE = 'torvalds/linux net/ipv4/netfilter/Makefile';
const IPV6_MAKEFILE = 'torvalds/linux net/ipv6/netfilter/Makefile';

/** A module the mesh can need: the config symbols that build it, in order of preference. */
export interface ModuleInfo {
  /**
   * Symbols whose `y`/`m` means the module's code exists. Ordered: the first symbol the kernel's
   * config mentions (set or `is not set`) decides; later ones are older kernels' names.
   */
  kconfig: string[];
  source: string;
}

/** Every module any profile and variant can require (current names), with its config symbols. */
export const MODULES: Readonly<Record<string, ModuleInfo>> = {
  br_netfilter: { kconfig: ['CONFIG_BRIDGE_NETFILTER'], source: 'torvalds/linux net/bridge/Makefile (obj-$(CONFIG_BRIDGE_NETFILTER) += br_netfilter.o)' },
  x_tables: { kconfig: ['CONFIG_NETFILTER_XTABLES'], source: NF_MAKEFILE },
  xt_tcpudp: { kconfig: ['CONFIG_NETFILTER_XTABLES'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NETFILTER_XTABLES) += x_tables.o xt_tcpudp.o)` },
  // Linux 6.9 moved ip_tables.o/ip6_tables.o under the *_LEGACY symbols (xtables-nft-only builds).
  ip_tables: { kconfig: ['CONFIG_IP_NF_IPTABLES_LEGACY', 'CONFIG_IP_NF_IPTABLES'], source: `${IPV4_MAKEFILE}; net/ipv4/netfilter/Kconfig (config IP_NF_IPTABLES_LEGACY)` },
  ip6_tables: { kconfig: ['CONFIG_IP6_NF_IPTABLES_LEGACY', 'CONFIG_IP6_NF_IPTABLES'], source: `${IPV6_MAKEFILE}; net/ipv6/netfilter/Kconfig (config IP6_NF_IPTABLES_LEGACY)` },
  iptable_filter: { kconfig: ['CONFIG_IP_NF_FILTER'], source: IPV4_MAKEFILE },
  iptable_mangle: { kconfig: ['CONFIG_IP_NF_MANGLE'], source: IPV4_MAKEFILE },
  iptable_nat: { kconfig: ['CONFIG_IP_NF_NAT'], source: IPV4_MAKEFILE },
  iptable_raw: { kconfig: ['CONFIG_IP_NF_RAW'], source: IPV4_MAKEFILE },
  ip6table_filter: { kconfig: ['CONFIG_IP6_NF_FILTER'], source: IPV6_MAKEFILE },
  ip6table_mangle: { kconfig: ['CONFIG_IP6_NF_MANGLE'], source: IPV6_MAKEFILE },
  ip6table_nat: { kconfig: ['CONFIG_IP6_NF_NAT'], source: IPV6_MAKEFILE },
  ip6table_raw: { kconfig: ['CONFIG_IP6_NF_RAW'], source: IPV6_MAKEFILE },
  nf_conntrack: { kconfig: ['CONFIG_NF_CONNTRACK'], source: NF_MAKEFILE },
  nf_nat: { kconfig: ['CONFIG_NF_NAT'], source: NF_MAKEFILE },
  nf_nat_redirect: { kconfig: ['CONFIG_NF_NAT_REDIRECT'], source: `${NF_MAKEFILE} (nf_nat-$(CONFIG_NF_NAT_REDIRECT) += nf_nat_redirect.o)` },
  nf_defrag_ipv4: { kconfig: ['CONFIG_NF_DEFRAG_IPV4'], source: IPV4_MAKEFILE },
  nf_defrag_ipv6: { kconfig: ['CONFIG_NF_DEFRAG_IPV6'], source: IPV6_MAKEFILE },
  nf_tproxy_ipv4: { kconfig: ['CONFIG_NF_TPROXY_IPV4'], source: IPV4_MAKEFILE },
  nf_tproxy_ipv6: { kconfig: ['CONFIG_NF_TPROXY_IPV6'], source: IPV6_MAKEFILE },
  xt_REDIRECT: { kconfig: ['CONFIG_NETFILTER_XT_TARGET_REDIRECT'], source: NF_MAKEFILE },
  xt_CT: { kconfig: ['CONFIG_NETFILTER_XT_TARGET_CT'], source: NF_MAKEFILE },
  xt_TPROXY: { kconfig: ['CONFIG_NETFILTER_XT_TARGET_TPROXY'], source: NF_MAKEFILE },
  xt_owner: { kconfig: ['CONFIG_NETFILTER_XT_MATCH_OWNER'], source: NF_MAKEFILE },
  xt_multiport: { kconfig: ['CONFIG_NETFILTER_XT_MATCH_MULTIPORT'], source: NF_MAKEFILE },
  // Not used by today's profiles (Istio's TPROXY rules match conntrack state, not sockets), kept so
  // reports and fixtures that name it resolve.
  xt_socket: { kconfig: ['CONFIG_NETFILTER_XT_MATCH_SOCKET'], source: NF_MAKEFILE },
  xt_comment: { kconfig: ['CONFIG_NETFILTER_XT_MATCH_COMMENT'], source: NF_MAKEFILE },
  xt_conntrack: { kconfig: ['CONFIG_NETFILTER_XT_MATCH_CONNTRACK'], source: NF_MAKEFILE },
  xt_mark: { kconfig: ['CONFIG_NETFILTER_XT_MARK'], source: `${NF_MAKEFILE} (combos: xt_mark.o is match and MARK target)` },
  xt_connmark: { kconfig: ['CONFIG_NETFILTER_XT_CONNMARK'], source: `${NF_MAKEFILE} (combos: xt_connmark.o is match and CONNMARK target)` },
  nf_tables: { kconfig: ['CONFIG_NF_TABLES'], source: NF_MAKEFILE },
  nft_compat: { kconfig: ['CONFIG_NFT_COMPAT'], source: NF_MAKEFILE },
  // Since 5.1 one nft_chain_nat.o for all families, built by CONFIG_NFT_NAT.
  nft_chain_nat: { kconfig: ['CONFIG_NFT_NAT'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_NAT) += nft_chain_nat.o)` },
  nft_nat: { kconfig: ['CONFIG_NFT_NAT'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_NAT) += nft_nat.o)` },
  nft_ct: { kconfig: ['CONFIG_NFT_CT'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_CT) += nft_ct.o)` },
  nft_redir: { kconfig: ['CONFIG_NFT_REDIR'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_REDIR) += nft_redir.o)` },
  nft_tproxy: { kconfig: ['CONFIG_NFT_TPROXY'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_TPROXY) += nft_tproxy.o)` },
  nft_socket: { kconfig: ['CONFIG_NFT_SOCKET'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_SOCKET) += nft_socket.o)` },
  xt_nat: { kconfig: ['CONFIG_NETFILTER_XT_NAT'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NETFILTER_XT_NAT) += xt_nat.o: SNAT and DNAT targets)` },
  xt_set: { kconfig: ['CONFIG_NETFILTER_XT_SET'], source: `${NF_MAKEFILE} (obj-$(CONFIG_NETFILTER_XT_SET) += xt_set.o)` },
  ip_set: { kconfig: ['CONFIG_IP_SET'], source: 'torvalds/linux net/netfilter/ipset/Makefile (obj-$(CONFIG_IP_SET) += ip_set.o)' },
  ip_set_hash_ip: { kconfig: ['CONFIG_IP_SET_HASH_IP'], source: 'torvalds/linux net/netfilter/ipset/Makefile (obj-$(CONFIG_IP_SET_HASH_IP) += ip_set_hash_ip.o)' },
};

/** Older kernels' module names and module aliases (see module-history.ts), with their symbols. */
export const HISTORIC_MODULES: Readonly<Record<string, ModuleInfo>> = {
  nf_nat_ipv4: { kconfig: ['CONFIG_NF_NAT_IPV4'], source: `${IPV4_MAKEFILE} before 5.1 (obj-$(CONFIG_NF_NAT_IPV4) += nf_nat_ipv4.o)` },
  nf_nat_ipv6: { kconfig: ['CONFIG_NF_NAT_IPV6'], source: `${IPV6_MAKEFILE} before 5.1` },
  nf_conntrack_ipv4: { kconfig: ['CONFIG_NF_CONNTRACK_IPV4'], source: `${IPV4_MAKEFILE} before 4.19 (obj-$(CONFIG_NF_CONNTRACK_IPV4) += nf_conntrack_ipv4.o)` },
  nf_conntrack_ipv6: { kconfig: ['CONFIG_NF_CONNTRACK_IPV6'], source: `${IPV6_MAKEFILE} before 4.19` },
  nft_chain_nat_ipv4: { kconfig: ['CONFIG_NFT_CHAIN_NAT_IPV4'], source: `${IPV4_MAKEFILE} before 5.1 (obj-$(CONFIG_NFT_CHAIN_NAT_IPV4) += nft_chain_nat_ipv4.o)` },
  nft_chain_nat_ipv6: { kconfig: ['CONFIG_NFT_CHAIN_NAT_IPV6'], source: `${IPV6_MAKEFILE} before 5.1` },
  ipt_REDIRECT: { kconfig: ['CONFIG_IP_NF_TARGET_REDIRECT'], source: `${IPV4_MAKEFILE} before 3.7` },
  xt_MARK: { kconfig: ['CONFIG_NETFILTER_XT_MARK'], source: `${NF_MAKEFILE} (alias of xt_mark)` },
  xt_CONNMARK: { kconfig: ['CONFIG_NETFILTER_XT_CONNMARK'], source: `${NF_MAKEFILE} (alias of xt_connmark)` },
};

/** Per-family module lists; `all` applies to every family. */
export interface PerFamily {
  all?: string[];
  ipv4?: string[];
  ipv6?: string[];
}

/** What an iptables extension needs: its module (none for built-in standard targets) and helpers. */
export interface ExtensionInfo {
  module?: string;
  requires?: PerFamily;
  source: string;
}

/** Extension key: `match:owner`, `target:REDIRECT`. */
export type ExtensionKey = `${'match' | 'target'}:${string}`;

/** iptables extensions (as named in rules) → kernel modules. Standard verdicts need no module. */
export const EXTENSIONS: Readonly<Record<ExtensionKey, ExtensionInfo>> = {
  'match:tcp': { module: 'xt_tcpudp', source: NF_MAKEFILE },
  'match:udp': { module: 'xt_tcpudp', source: NF_MAKEFILE },
  'match:owner': { module: 'xt_owner', source: NF_MAKEFILE },
  'match:multiport': { module: 'xt_multiport', source: NF_MAKEFILE },
  'match:comment': { module: 'xt_comment', source: NF_MAKEFILE },
  'match:mark': { module: 'xt_mark', source: NF_MAKEFILE },
  'match:connmark': { module: 'xt_connmark', requires: { all: ['nf_conntrack'] }, source: NF_MAKEFILE },
  'match:conntrack': { module: 'xt_conntrack', requires: { all: ['nf_conntrack'] }, source: NF_MAKEFILE },
  'target:REDIRECT': {
    module: 'xt_REDIRECT',
    requires: { all: ['nf_nat', 'nf_nat_redirect'] },
    source: `${NF_MAKEFILE}; net/netfilter/Kconfig (NETFILTER_XT_TARGET_REDIRECT selects NF_NAT_REDIRECT)`,
  },
  'target:CT': { module: 'xt_CT', requires: { all: ['nf_conntrack'] }, source: NF_MAKEFILE },
  'target:MARK': { module: 'xt_mark', source: NF_MAKEFILE },
  'target:CONNMARK': { module: 'xt_connmark', requires: { all: ['nf_conntrack'] }, source: NF_MAKEFILE },
  'target:TPROXY': {
    module: 'xt_TPROXY',
    requires: { ipv4: ['nf_tproxy_ipv4', 'nf_defrag_ipv4'], ipv6: ['nf_tproxy_ipv6', 'nf_defrag_ipv6'] },
    source: `${NF_MAKEFILE}; net/netfilter/Kconfig (NETFILTER_XT_TARGET_TPROXY selects NF_TPROXY_IPV4/6, NF_DEFRAG_IPV4/6)`,
  },
  'match:set': {
    module: 'xt_set',
    requires: { all: ['ip_set'] },
    source: `${NF_MAKEFILE}; net/netfilter/Kconfig (NETFILTER_XT_SET depends on IP_SET)`,
  },
  'target:SNAT': { module: 'xt_nat', requires: { all: ['nf_nat', 'nf_conntrack'] }, source: `${NF_MAKEFILE} (xt_nat.c registers SNAT and DNAT)` },
  'target:DNAT': { module: 'xt_nat', requires: { all: ['nf_nat', 'nf_conntrack'] }, source: `${NF_MAKEFILE} (xt_nat.c registers SNAT and DNAT)` },
  'target:RETURN': { source: 'built-in standard verdict (x_tables core)' },
  'target:ACCEPT': { source: 'built-in standard verdict (x_tables core)' },
  'target:DROP': { source: 'built-in standard verdict (x_tables core)' },
};

/** Modules every rule of a family needs on a backend, before any table or extension. */
export function coreModules(backend: RuleBackend, family: Family): string[] {
  if (backend === 'nft') return ['nf_tables', 'nft_compat', 'x_tables'];
  return family === 'ipv4' ? ['x_tables', 'ip_tables'] : ['x_tables', 'ip6_tables'];
}

/** Modules a table needs on a backend and family (iptables-nft has no iptable_* modules). */
export function tableModules(backend: RuleBackend, family: Family, table: Table): string[] {
  const nat = table === 'nat' ? ['nf_nat', 'nf_conntrack'] : [];
  if (backend === 'nft') return table === 'nat' ? ['nft_chain_nat', ...nat] : [];
  return [family === 'ipv4' ? `iptable_${table}` : `ip6table_${table}`, ...nat];
}

/** The extension's module and helper modules for a family; undefined when the extension is unknown. */
export function extensionModules(kind: 'match' | 'target', name: string, family: Family): string[] | undefined {
  const info = EXTENSIONS[`${kind}:${name}`];
  if (!info) return undefined;
  const requires = [...(info.requires?.all ?? []), ...(info.requires?.[family] ?? [])];
  return info.module ? [info.module, ...requires] : requires;
}

/** Kernel config symbols whose y/m means the module's code exists (ordered; see ModuleInfo). */
export function kconfigSymbolsFor(module: string): string[] {
  return [...(MODULES[module]?.kconfig ?? HISTORIC_MODULES[module]?.kconfig ?? [])];
}

/** ipset types → the kernel modules that create them (ip_set core + the type's module). */
export const IPSET_TYPES: Readonly<Record<'hash:ip', { modules: string[]; source: string }>> = {
  'hash:ip': { modules: ['ip_set', 'ip_set_hash_ip'], source: 'torvalds/linux net/netfilter/ipset/Makefile; net/netfilter/ipset/ip_set_hash_ip.c (IPSET_TYPE hash:ip, comment extension since revision 2)' },
};

/** Policy routing (`ip rule` with fwmark, a second table) per family: a bool in the kernel config. */
export const POLICY_ROUTING_KCONFIG: Readonly<Record<Family, { symbol: string; source: string }>> = {
  ipv4: { symbol: 'CONFIG_IP_MULTIPLE_TABLES', source: 'torvalds/linux net/ipv4/Kconfig (config IP_MULTIPLE_TABLES: "IP: policy routing"; fib_rules.o)' },
  ipv6: { symbol: 'CONFIG_IPV6_MULTIPLE_TABLES', source: 'torvalds/linux net/ipv6/Kconfig (config IPV6_MULTIPLE_TABLES: "IPv6: Multiple Routing Tables")' },
};
