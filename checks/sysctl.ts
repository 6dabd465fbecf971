/**
 * `sysctl`: net.bridge.bridge-nf-call-iptables (bridged pod traffic must traverse iptables; exists only
 * once br_netfilter is loaded) and net.ipv4.ip_forward (pod routing).
 */
import type { Check } from '../src/core/check.ts';

interface SysctlFacts {
  bridgeNfCallIptables?: string;
  ipForward?: string;
  /** Evidence names for the two files (`a → b` when read through a link). */
  shown?: { bridge: string; forward: string };
  /** Files that are there but were not read, one line each (a FIFO, a directory ...). */
  problems?: string[];
}

const BRIDGE = '/proc/sys/net/bridge/bridge-nf-call-iptables';
const FORWARD = '/proc/sys/net/ipv4/ip_forward';
const PERSIST = '/etc/sysctl.d/99-mesh-preflight.conf';

export const sysctlCheck = {
  id: 'sysctl',
  title: 'Kernel network settings',
  async collect(ctx) {
    const [bridge, forward] = await Promise.all([ctx.host.read(BRIDGE, { maxBytes: 4096 }), ctx.host.read(FORWARD, { maxBytes: 4096 })]);
    const unreadable = [bridge, forward].filter((r) => !r.ok && !r.absent).map((r) => (r.ok ? '' : r.reason));
    return {
      bridgeNfCallIptables: bridge.ok ? bridge.text.trim() : undefined,
      ipForward: forward.ok ? forward.text.trim() : undefined,
      shown: { bridge: ctx.host.describe(BRIDGE), forward: ctx.host.describe(FORWARD) },
      ...(unreadable.length > 0 ? { problems: unreadable } : {}),
    };
  },
  evaluate({ bridgeNfCallIptables, ipForward, shown, problems: unreadable }) {
    const evidence: string[] = [...(unreadable ?? [])];
    const problems: string[] = [];
    const remediation: string[] = [];
    const bridgeFile = shown?.bridge ?? BRIDGE;
    const forwardFile = shown?.forward ?? FORWARD;
    if (unreadable?.length) problems.push(`cannot tell: ${unreadable.join('; ')}`);
    if (bridgeNfCallIptables === undefined && unreadable?.some((u) => u.startsWith(BRIDGE))) {
      // There but unreadable: says nothing about br_netfilter.
    } else if (bridgeNfCallIptables === undefined) {
      evidence.push(`${BRIDGE}: absent (br_netfilter not loaded)`);
      problems.push('br_netfilter not loaded, so bridged traffic bypasses iptables');
      remediation.push('modprobe br_netfilter && sysctl -w net.bridge.bridge-nf-call-iptables=1');
    } else {
      evidence.push(`${bridgeFile}: ${bridgeNfCallIptables}`);
      if (bridgeNfCallIptables !== '1') {
        problems.push('net.bridge.bridge-nf-call-iptables is 0');
        remediation.push('sysctl -w net.bridge.bridge-nf-call-iptables=1');
        remediation.push(`echo 'net.bridge.bridge-nf-call-iptables = 1' >> ${PERSIST}`);
      }
    }
    if (ipForward === undefined) {
      if (!unreadable?.some((u) => u.startsWith(FORWARD))) evidence.push(`${FORWARD}: absent`);
    } else {
      evidence.push(`${forwardFile}: ${ipForward}`);
      if (ipForward !== '1') {
        problems.push('net.ipv4.ip_forward is 0 (pods cannot be routed)');
        remediation.push('sysctl -w net.ipv4.ip_forward=1');
        remediation.push(`echo 'net.ipv4.ip_forward = 1' >> ${PERSIST}`);
      }
    }
    if (bridgeNfCallIptables === undefined && ipForward === undefined && !unreadable?.length) {
      return { status: 'skip', summary: 'no /proc/sys below the host root', evidence, remediation: ['Mount the host /proc/sys read-only under the host root.'] };
    }
    if (problems.length > 0) return { status: 'warn', summary: problems.join('; '), evidence, remediation };
    return { status: 'pass', summary: 'bridge-nf-call-iptables=1, ip_forward=1', evidence, remediation };
  },
} satisfies Check<SysctlFacts>;
