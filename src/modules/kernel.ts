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

const OSRELEASE = '/proc/sys/kernel/osrelease';
// A release names directories (/lib/modules/<release>): no separators, no `..`, printable.
const RELEASE_NAME = /^(?!\.\.?$)[\x21-\x2e\x30-\x7e]{1,200}$/;
// Both are one short line; a larger file is not what the kernel writes there.
const MAX_BYTES = 64 * 1024;

export async function readKernel(host: HostRoot): Promise<KernelFacts> {
  const read = await host.read(OSRELEASE, { maxBytes: MAX_BYTES });
  const release = read.ok ? firstLine(read.text) : undefined;
  const version = firstLine((await host.readText('/proc/sys/kernel/version', MAX_BYTES)) ?? '');
  if (release && !RELEASE_NAME.test(release)) {
    return { source: `${host.describe(OSRELEASE)}: ${JSON.stringify(release.slice(0, 80))} is not a kernel release name` };
  }
  if (release) {
    return { release, version: version || undefined, parsed: parseKernelRelease(release), source: host.describe(OSRELEASE) };
  }
  if (!read.ok && !read.absent) return { source: `unreadable: ${read.reason}` };
  // Only the machine we run on can fall back to uname; a fixture root without the file is unknown.
  if (host.realRoot === '/') {
    const fallback = os.release();
    return { release: fallback, version: os.version(), parsed: parseKernelRelease(fallback), source: 'uname' };
  }
  return { source: read.ok ? `${host.describe(OSRELEASE)}: empty` : 'not found: /proc/sys/kernel/osrelease' };
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}
