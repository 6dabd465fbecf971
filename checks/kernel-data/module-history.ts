/**
 * Netfilter module renames, merges, splits and aliases by kernel version, as data. resolveModule()
 * answers "on this kernel, which module carries the code for <name>?" so a check does not report
 * `nf_conntrack_ipv4` missing on a 5.x kernel where it was folded into nf_conntrack.
 */
import type { KernelVersion } from '../../src/modules/types.ts';
import { HISTORIC_MODULES, MODULES } from './netfilter-map.ts';

/** A distribution kernel that carries a change before the mainline version (e.g. RHEL 8.3). */
export interface Backport {
  /** Matches the release; group 1 is the distribution build number. */
  release: RegExp;
  minBuild: number;
  note: string;
}

/** One change: when it applies, `name` is carried by `carrier`. */
export interface ModuleChange {
  kind: 'merged' | 'renamed' | 'alias' | 'split';
  name: string;
  carrier: string;
  /** Applies on kernels ≥ from (or a matching backport). */
  from?: KernelVersion;
  /** Applies on kernels < before. */
  before?: KernelVersion;
  backports?: Backport[];
  note: string;
  source: string;
}

const kv = (major: number, minor: number, patch = 0): KernelVersion => ({ major, minor, patch });

// RHEL 8.3 (kernel 4.18.0-240) backported the l3proto removal, so nf_conntrack_ipv4/6 are gone
// there although the base version is 4.18.
const RHEL83: Backport = {
  release: /^4\.18\.0-(\d+)\b.*\.el8/,
  minBuild: 240,
  note: 'RHEL 8.3+ (4.18.0-240 and later) backports the merge',
};

const NF_MAKEFILE = 'torvalds/linux net/netfilter/Makefile';

/** Every known change, oldest first. */
export const MODULE_CHANGES: readonly ModuleChange[] = [
  {
    kind: 'alias', name: 'xt_MARK', carrier: 'xt_mark', from: kv(2, 6, 35),
    note: 'the MARK target lives in xt_mark.ko (MODULE_ALIAS("xt_MARK"))',
    source: `${NF_MAKEFILE} (combos: obj-$(CONFIG_NETFILTER_XT_MARK) += xt_mark.o); openwrt/openwrt include/netfilter.mk ("kernel has xt_MARK.ko merged into xt_mark.ko")`,
  },
  {
    kind: 'alias', name: 'xt_CONNMARK', carrier: 'xt_connmark', from: kv(2, 6, 35),
    note: 'the CONNMARK target lives in xt_connmark.ko (MODULE_ALIAS("xt_CONNMARK"))',
    source: `${NF_MAKEFILE} (combos: obj-$(CONFIG_NETFILTER_XT_CONNMARK) += xt_connmark.o)`,
  },
  {
    kind: 'alias', name: 'ipt_REDIRECT', carrier: 'xt_REDIRECT', from: kv(3, 7),
    note: 'ipt_REDIRECT became xt_REDIRECT (IPv4+IPv6) with the 3.7 IPv6 NAT work; ipt_REDIRECT is a module alias',
    source: 'openwrt/openwrt include/netfilter.mk (xt_REDIRECT ge 3.7.0, ipt_REDIRECT lt 3.7.0); modules.alias: alias ipt_REDIRECT xt_REDIRECT',
  },
  {
    kind: 'renamed', name: 'xt_REDIRECT', carrier: 'ipt_REDIRECT', before: kv(3, 7),
    note: 'before 3.7 the IPv4 REDIRECT target was its own module ipt_REDIRECT',
    source: 'openwrt/openwrt include/netfilter.mk (ipt_REDIRECT lt 3.7.0)',
  },
  {
    kind: 'split', name: 'nf_tproxy_ipv4', carrier: 'xt_TPROXY', before: kv(4, 18),
    note: 'before 4.18 the IPv4 TPROXY lookup code was inside xt_TPROXY (split out for nft_tproxy)',
    source: 'torvalds/linux net/ipv4/netfilter/Makefile (obj-$(CONFIG_NF_TPROXY_IPV4) += nf_tproxy_ipv4.o, added in the 4.18 cycle)',
  },
  {
    kind: 'split', name: 'nf_tproxy_ipv6', carrier: 'xt_TPROXY', before: kv(4, 18),
    note: 'before 4.18 the IPv6 TPROXY lookup code was inside xt_TPROXY (split out for nft_tproxy)',
    source: 'torvalds/linux net/ipv6/netfilter/Makefile (obj-$(CONFIG_NF_TPROXY_IPV6) += nf_tproxy_ipv6.o, added in the 4.18 cycle)',
  },
  {
    kind: 'merged', name: 'nf_conntrack_ipv4', carrier: 'nf_conntrack', from: kv(4, 19), backports: [RHEL83],
    note: 'nf_conntrack_ipv4 was folded into nf_conntrack in 4.19 (l3proto abstraction removed)',
    source: 'torvalds/linux net/ipv4/netfilter/Makefile (obj-$(CONFIG_NF_CONNTRACK_IPV4) gone in 4.19); istio.io platform-requirements lists nf_conntrack_ipv4 for older kernels',
  },
  {
    kind: 'merged', name: 'nf_conntrack_ipv6', carrier: 'nf_conntrack', from: kv(4, 19), backports: [RHEL83],
    note: 'nf_conntrack_ipv6 was folded into nf_conntrack in 4.19 (l3proto abstraction removed)',
    source: 'torvalds/linux net/ipv6/netfilter/Makefile (obj-$(CONFIG_NF_CONNTRACK_IPV6) gone in 4.19)',
  },
  {
    kind: 'merged', name: 'nf_nat_ipv4', carrier: 'nf_nat', from: kv(5, 1),
    note: 'nf_nat_ipv4 was merged into the nf_nat core in 5.1',
    source: 'torvalds/linux net/ipv4/netfilter/Makefile (obj-$(CONFIG_NF_NAT_IPV4) += nf_nat_ipv4.o, gone in 5.1); openwrt/openwrt#3257',
  },
  {
    kind: 'merged', name: 'nf_nat_ipv6', carrier: 'nf_nat', from: kv(5, 1),
    note: 'nf_nat_ipv6 was merged into the nf_nat core in 5.1',
    source: 'torvalds/linux net/ipv6/netfilter/Makefile (obj-$(CONFIG_NF_NAT_IPV6) gone in 5.1)',
  },
  {
    kind: 'merged', name: 'nf_nat_redirect', carrier: 'nf_nat', from: kv(5, 1),
    note: 'nf_nat_redirect is linked into nf_nat.ko since 5.1 (CONFIG_NF_NAT_REDIRECT became a bool)',
    source: `${NF_MAKEFILE} (nf_nat-$(CONFIG_NF_NAT_REDIRECT) += nf_nat_redirect.o; was obj-$(CONFIG_NF_NAT_REDIRECT) += nf_nat_redirect.o); openwrt/openwrt#3257 ("Fold nf_nat_redirect.o function into nf_nat.ko module and make related config option boolean")`,
  },
  {
    kind: 'renamed', name: 'nft_chain_nat_ipv4', carrier: 'nft_chain_nat', from: kv(5, 1),
    note: 'the IPv4 and IPv6 nft NAT chain types were merged into nft_chain_nat in 5.1',
    source: `torvalds/linux net/ipv4/netfilter/Makefile (obj-$(CONFIG_NFT_CHAIN_NAT_IPV4) += nft_chain_nat_ipv4.o, gone in 5.1); ${NF_MAKEFILE}`,
  },
  {
    kind: 'renamed', name: 'nft_chain_nat_ipv6', carrier: 'nft_chain_nat', from: kv(5, 1),
    note: 'the IPv4 and IPv6 nft NAT chain types were merged into nft_chain_nat in 5.1',
    source: `torvalds/linux net/ipv6/netfilter/Makefile (gone in 5.1); ${NF_MAKEFILE}`,
  },
  {
    kind: 'renamed', name: 'nft_chain_nat', carrier: 'nft_chain_nat_ipv4', before: kv(5, 1),
    note: 'before 5.1 the nft NAT chain type is per family: nft_chain_nat_ipv4 (and nft_chain_nat_ipv6 for IPv6)',
    source: 'torvalds/linux net/ipv4/netfilter/Makefile (obj-$(CONFIG_NFT_CHAIN_NAT_IPV4) += nft_chain_nat_ipv4.o)',
  },
];

/** Compare two kernel versions: negative, zero or positive. */
export function compareKernel(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

function backportApplies(backports: readonly Backport[] | undefined, release: string | undefined): Backport | undefined {
  if (!backports || !release) return undefined;
  return backports.find((b) => {
    const build = b.release.exec(release)?.[1];
    return build !== undefined && Number(build) >= b.minBuild;
  });
}

/** Whether the change applies on this kernel; undefined when the kernel version is unknown. */
function applies(change: ModuleChange, kernel: KernelVersion | undefined, release?: string): { ok: boolean; backport?: Backport } | undefined {
  const backport = backportApplies(change.backports, release);
  if (backport) return { ok: true, backport };
  if (!kernel) return undefined;
  if (change.from && compareKernel(kernel, change.from) < 0) return { ok: false };
  if (change.before && compareKernel(kernel, change.before) >= 0) return { ok: false };
  return { ok: true };
}

/** The module that carries `name` on this kernel; `providedBy` is set only when it is another module. */
export function resolveModule(
  name: string,
  kernel: KernelVersion | undefined,
  kernelRelease?: string,
): { name: string; providedBy?: string; note?: string } {
  const changes = MODULE_CHANGES.filter((c) => c.name === name);
  if (changes.length === 0) return { name };
  const unknown: string[] = [];
  for (const change of changes) {
    const result = applies(change, kernel, kernelRelease);
    if (result === undefined) {
      unknown.push(change.note);
      continue;
    }
    if (result.ok) {
      const note = result.backport ? `${change.note}; ${result.backport.note}` : change.note;
      return { name, providedBy: change.carrier, note };
    }
  }
  if (unknown.length > 0) return { name, note: `kernel version unknown; ${unknown.join('; ')}` };
  return { name };
}

/** Every module name a profile, variant or kernel generation can require (for validating fix targets). */
export function knownModuleNames(): ReadonlySet<string> {
  const names = new Set<string>([...Object.keys(MODULES), ...Object.keys(HISTORIC_MODULES)]);
  for (const change of MODULE_CHANGES) {
    names.add(change.name);
    names.add(change.carrier);
  }
  return names;
}
