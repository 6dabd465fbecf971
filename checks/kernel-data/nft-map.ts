/**
 * nft expressions → kernel modules (and config symbols), for meshes that program nftables natively
 * (Istio `values.global.nativeNftables`). Each pattern is matched against the lines of the mesh's `nft -f`
 * script (checks/profiles/); a requirement is the union of what its lines use, never a hand list.
 *
 * Module names are the kernel's (net/netfilter/Makefile: `obj-$(CONFIG_NFT_REDIR) += nft_redir.o` …).
 * Expressions compiled into nf_tables.ko itself (payload, cmp, bitwise, meta, immediate, lookup, counter,
 * the set backends, jump/accept verdicts) need nothing beyond nf_tables: net/netfilter/Makefile
 * `nf_tables-objs := nf_tables_core.o … nft_immediate.o nft_cmp.o nft_range.o nft_bitwise.o nft_byteorder.o
 * nft_payload.o nft_lookup.o nft_dynset.o nft_meta.o nft_rt.o nft_exthdr.o nft_last.o nft_counter.o
 * nft_objref.o nft_inner.o nft_chain_route.o nf_tables_offload.o nft_set_hash.o nft_set_bitmap.o
 * nft_set_rbtree.o nft_set_pipapo.o`.
 */
import type { Family } from '../../src/core/requirements.types.ts';

const NF_MAKEFILE = 'torvalds/linux net/netfilter/Makefile';

export interface NftExpression {
  /** What the pattern recognises, as nft(8) names it. */
  name: string;
  pattern: RegExp;
  modules: { all?: string[]; ipv4?: string[]; ipv6?: string[] };
  kconfig?: string[];
  source: string;
}

/** Every rule goes through these. */
export const NFT_CORE: { modules: string[]; source: string } = {
  modules: ['nf_tables'],
  source: `${NF_MAKEFILE} (obj-$(CONFIG_NF_TABLES) += nf_tables.o; meta, payload, cmp, bitwise, lookup, counter and the set backends are part of it)`,
};

export const NFT_EXPRESSIONS: readonly NftExpression[] = [
  {
    name: 'table inet',
    pattern: /\btable inet\b/,
    modules: {},
    kconfig: ['CONFIG_NF_TABLES_INET'],
    source: 'torvalds/linux net/netfilter/Kconfig (config NF_TABLES_INET: a bool inside nf_tables)',
  },
  {
    name: 'nat chain',
    pattern: /\btype nat hook\b/,
    modules: { all: ['nft_chain_nat', 'nf_nat', 'nf_conntrack'] },
    source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_NAT) += nft_chain_nat.o; nf_nat builds on nf_conntrack)`,
  },
  {
    name: 'redirect',
    pattern: /\bredirect to\b/,
    modules: { all: ['nft_redir', 'nf_nat'] },
    source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_REDIR) += nft_redir.o; nf_nat_redirect.o is linked into nf_nat)`,
  },
  {
    name: 'snat/dnat',
    pattern: /\b[sd]nat to\b/,
    modules: { all: ['nft_nat', 'nf_nat'] },
    source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_NAT) += nft_nat.o)`,
  },
  {
    name: 'ct (mark, state, zone)',
    pattern: /\bct (mark|state|zone)\b/,
    modules: { all: ['nft_ct', 'nf_conntrack'] },
    source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_CT) += nft_ct.o)`,
  },
  {
    name: 'ct zone set',
    pattern: /\bct zone set\b/,
    modules: {},
    kconfig: ['CONFIG_NF_CONNTRACK_ZONES'],
    source: 'torvalds/linux net/netfilter/nft_ct.c (NFT_CT_ZONE is compiled only #ifdef CONFIG_NF_CONNTRACK_ZONES)',
  },
  {
    name: 'tproxy',
    pattern: /\btproxy ip6? to\b/,
    modules: { all: ['nft_tproxy'], ipv4: ['nf_tproxy_ipv4', 'nf_defrag_ipv4'], ipv6: ['nf_tproxy_ipv6', 'nf_defrag_ipv6'] },
    source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_TPROXY) += nft_tproxy.o); net/netfilter/Kconfig (NFT_TPROXY selects NF_TPROXY_IPV4/6, NF_DEFRAG_IPV4/6)`,
  },
  {
    name: 'socket',
    pattern: /\bsocket (transparent|mark|wildcard|cgroupv2)\b/,
    modules: { all: ['nft_socket'] },
    source: `${NF_MAKEFILE} (obj-$(CONFIG_NFT_SOCKET) += nft_socket.o)`,
  },
];

/** The modules and symbols one nft line needs for a family, with the expressions that matched. */
export function nftLineNeeds(line: string, family: Family): { expression: NftExpression; modules: string[] }[] {
  return NFT_EXPRESSIONS.filter((e) => e.pattern.test(line)).map((expression) => ({
    expression,
    modules: [...(expression.modules.all ?? []), ...(expression.modules[family] ?? [])],
  }));
}
