/**
 * `--ipv6` auto: the IPv6 requirements apply when this node has a global IPv6 address (dual-stack).
 * The addresses are the ones the kernel shows this process (a host-network pod sees the node's), read
 * with systeminformation, loaded only when the decision is needed. They are never read below
 * --host-root: a fixture tree has no interfaces.
 */
import { execa } from 'execa';
import { networkInterfaces } from 'node:os';
import { z } from 'zod';

/** One network interface and its IPv6 addresses. */
export interface InterfaceAddresses {
  iface: string;
  ip6: readonly string[];
  internal: boolean;
}

/** This process's network interfaces and what read them (injectable: tests pass a fake list). */
export interface InterfaceListing {
  interfaces: InterfaceAddresses[];
  /** How they were read, for the reason, e.g. "systeminformation". */
  via: string;
}
export type ListInterfaces = () => Promise<InterfaceListing>;

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

/** The auto decision from the interfaces, with the reason the report gives. */
export function decideIpv6(listing: InterfaceListing, hostRoot = '/'): Ipv6Decision {
  const { interfaces } = listing;
  const SOURCE = `read from this process's network interfaces with ${listing.via}`;
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

/** How long systeminformation may take before Node's own list is used (see systemInterfaces). */
export const SYSTEMINFORMATION_TIMEOUT_MS = 2000;

const InterfacesOutputSchema = z.array(z.object({ iface: z.string(), ip6: z.array(z.string()), internal: z.boolean() }));

/**
 * systeminformation's networkInterfaces(), run in a child process with a timeout: on Linux it runs a
 * shell with ~25 commands per interface through execSync (measured: seconds on a node with dozens of pod
 * veths, see README), which must neither block this process nor hold up the check. Its addresses come
 * from Node's os.networkInterfaces() (the kernel's getifaddrs), so when it fails or is too slow that
 * same list is read directly, and the reason says so.
 */
export function systemInterfaces(timeoutMs = SYSTEMINFORMATION_TIMEOUT_MS): ListInterfaces {
  return async () => {
    const siEntry = import.meta.resolve('systeminformation');
    const script = [
      `const si = (await import(${JSON.stringify(siEntry)})).default;`,
      'const data = await si.networkInterfaces();',
      'const list = Array.isArray(data) ? data : [data];',
      'process.stdout.write(JSON.stringify(list.map((i) => ({ iface: i.iface, ip6: i.ip6 ? [i.ip6] : [], internal: Boolean(i.internal) }))));',
    ].join('\n');
    // Its own process group, so that on a timeout the shells it forked stop too instead of running on.
    const child = execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, timeout: timeoutMs, encoding: 'utf8', detached: true });
    const result = await child;
    if (result.failed && child.pid !== undefined) killGroup(child.pid);
    if (!result.failed) {
      const parsed = InterfacesOutputSchema.safeParse(safeJson(String(result.stdout)));
      if (parsed.success) return { interfaces: parsed.data, via: 'systeminformation' };
    }
    const why = result.timedOut ? `did not answer within ${timeoutMs} ms` : 'failed';
    return { interfaces: nodeInterfaces(), via: `Node's os.networkInterfaces() (systeminformation ${why}; it reads its addresses from the same list)` };
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone, or no process groups here (Windows)
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Node's own list (getifaddrs): every address of every interface that has one. */
export function nodeInterfaces(): InterfaceAddresses[] {
  return Object.entries(networkInterfaces()).map(([iface, addresses]) => ({
    iface,
    ip6: (addresses ?? []).filter((a) => a.family === 'IPv6').map((a) => a.address),
    internal: (addresses ?? []).some((a) => a.internal),
  }));
}
