/**
 * Kernel config symbols that build the netfilter modules a mesh asks for, so "missing" advice can name
 * the exact `CONFIG_…` to enable. Each pairing is an `obj-$(CONFIG_X) += module.o` line of the kernel's
 * Makefiles: torvalds/linux net/netfilter/Makefile, net/ipv4/netfilter/Makefile,
 * net/ipv6/netfilter/Makefile (same layout with IP6_NF_ / ip6table_).
 */
const SYMBOLS: Readonly<Record<string, string>> = {
  // net/ipv4/netfilter/Makefile
  ip_tables: 'CONFIG_IP_NF_IPTABLES',
  iptable_filter: 'CONFIG_IP_NF_FILTER',
  iptable_mangle: 'CONFIG_IP_NF_MANGLE',
  iptable_nat: 'CONFIG_IP_NF_NAT',
  iptable_raw: 'CONFIG_IP_NF_RAW',
  // net/ipv6/netfilter/Makefile
  ip6_tables: 'CONFIG_IP6_NF_IPTABLES',
  ip6table_filter: 'CONFIG_IP6_NF_FILTER',
  ip6table_mangle: 'CONFIG_IP6_NF_MANGLE',
  ip6table_nat: 'CONFIG_IP6_NF_NAT',
  ip6table_raw: 'CONFIG_IP6_NF_RAW',
  // net/netfilter/Makefile
  x_tables: 'CONFIG_NETFILTER_XTABLES',
  xt_tcpudp: 'CONFIG_NETFILTER_XTABLES',
  nf_conntrack: 'CONFIG_NF_CONNTRACK',
  nf_nat: 'CONFIG_NF_NAT',
  nf_tables: 'CONFIG_NF_TABLES',
  nft_compat: 'CONFIG_NFT_COMPAT',
  nft_nat: 'CONFIG_NFT_NAT',
  nft_ct: 'CONFIG_NFT_CT',
  xt_mark: 'CONFIG_NETFILTER_XT_MARK',
  xt_connmark: 'CONFIG_NETFILTER_XT_CONNMARK',
  xt_nat: 'CONFIG_NETFILTER_XT_NAT',
  xt_REDIRECT: 'CONFIG_NETFILTER_XT_TARGET_REDIRECT',
  xt_TPROXY: 'CONFIG_NETFILTER_XT_TARGET_TPROXY',
  xt_CT: 'CONFIG_NETFILTER_XT_TARGET_CT',
  xt_comment: 'CONFIG_NETFILTER_XT_MATCH_COMMENT',
  xt_conntrack: 'CONFIG_NETFILTER_XT_MATCH_CONNTRACK',
  xt_multiport: 'CONFIG_NETFILTER_XT_MATCH_MULTIPORT',
  xt_owner: 'CONFIG_NETFILTER_XT_MATCH_OWNER',
  xt_socket: 'CONFIG_NETFILTER_XT_MATCH_SOCKET',
  xt_addrtype: 'CONFIG_NETFILTER_XT_MATCH_ADDRTYPE',
  xt_statistic: 'CONFIG_NETFILTER_XT_MATCH_STATISTIC',
};

/** The CONFIG_ symbol that builds this module, when known. */
export function configSymbolFor(module: string): string | undefined {
  return SYMBOLS[module];
}
