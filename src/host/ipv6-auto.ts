/**
 * `--ipv6` auto: the IPv6 requirements apply when this node has a global IPv6 address (dual-stack).
 * The addresses are the ones the kernel shows this process (a host-network pod sees the node's), read
 * with systeminformation, loaded only when the decision is needed. They are never read below
 * --host-root: a fixture tree has no interfaces.
 */

/** One network interface and its IPv6 addresses. */
export interface InterfaceAddresses {
  iface: string;
  ip6: readonly string[];
  internal: boolean;
}

/** Lists this process's network interfaces (injectable: tests pass a fake list). */
export type ListInterfaces = () => Promise<InterfaceAddresses[]>;

export interface Ipv6Decision {
  ipv6: boolean;
  reason: string;
}

/**
 * A global IPv6 address in the kernel's sense (scope global, ULAs included): not unspecified, loopback,
 * link-local (fe80::/10), multicast (ff00::/8) or IPv4-mapped.
 */
export function isGlobalIpv6(address: string): boolean {
  const a = address.toLowerCase().split('%')[0]!.trim();
  if (!a.includes(':')) return false;
  if (a === '::' || a === '::1') return false;
  if (/^fe[89ab][0-9a-f]?:/.test(a)) return false;
  if (a.startsWith('ff')) return false;
  if (a.startsWith('::ffff:')) return false;
  return true;
}

const SOURCE = "read from this process's network interfaces with systeminformation";

/** The auto decision from the interfaces, with the reason the report gives. */
export function decideIpv6(interfaces: readonly InterfaceAddresses[], hostRoot = '/'): Ipv6Decision {
  const global = interfaces.filter((i) => !i.internal).flatMap((i) => i.ip6.filter(isGlobalIpv6).map((a) => `${i.iface} ${a}`));
  const hostRootNote = hostRoot === '/' ? '' : `; these are the interfaces of the machine running mesh-preflight, not read below --host-root ${hostRoot}`;
  if (global.length > 0) {
    return {
      ipv6: true,
      reason: `auto: this node has a global IPv6 address (${global.slice(0, 3).join(', ')}), so the IPv6 requirements apply (${SOURCE}${hostRootNote}); --no-ipv6 skips them`,
    };
  }
  return {
    ipv6: false,
    reason: `auto: no global IPv6 address on this node's interfaces, so the IPv6 requirements do not apply (${SOURCE}${hostRootNote}); --ipv6 applies them`,
  };
}

/** The decision, or a reasoned "off" when the interfaces cannot be read. */
export async function resolveIpv6Auto(list: ListInterfaces, hostRoot = '/'): Promise<Ipv6Decision> {
  try {
    return decideIpv6(await list(), hostRoot);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ipv6: false, reason: `auto: the network interfaces could not be read (${message.split('\n')[0]}), so the IPv6 requirements do not apply; --ipv6 applies them` };
  }
}

/** systeminformation's networkInterfaces(), loaded on first use (it costs start-up time; see README). */
export const systemInterfaces: ListInterfaces = async () => {
  const si = await import('systeminformation');
  const data = await si.networkInterfaces();
  const list = Array.isArray(data) ? data : [data];
  return list.map((i) => ({ iface: i.iface, ip6: i.ip6 ? [i.ip6] : [], internal: i.internal }));
};
