/** Kernel release and version of the host, read below the host root. */
import os from 'node:os';
import type { HostRoot } from '../host/root.ts';
import type { KernelFacts, KernelVersion } from './types.ts';

/** `5.15.0-91-generic` → 5.15.0; `4.18.0-348.el8.x86_64` → 4.18.0; undefined when unparsable. */
export function parseKernelRelease(release: string): KernelVersion | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** Compares kernel versions: negative when a < b. */
export function compareKernel(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export async function readKernel(host: HostRoot): Promise<KernelFacts> {
  const release = (await host.readText('/proc/sys/kernel/osrelease'))?.trim();
  const version = (await host.readText('/proc/sys/kernel/version'))?.trim();
  if (release) {
    return { release, version, parsed: parseKernelRelease(release), source: '/proc/sys/kernel/osrelease' };
  }
  // Only the machine we run on can fall back to uname; a fixture root without the file is unknown.
  if (host.root === '/') {
    const fallback = os.release();
    return { release: fallback, version: os.version(), parsed: parseKernelRelease(fallback), source: 'uname' };
  }
  return { source: 'not found: /proc/sys/kernel/osrelease' };
}
