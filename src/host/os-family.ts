/**
 * OS families with known traps for mesh interception, from /etc/os-release.
 * - `rhel`: RHEL/CentOS/Rocky/Alma/Oracle 8+ ship iptables-nft only (no legacy iptables package).
 * - `immutable`: Talos, Bottlerocket, Flatcar, Container-Optimized OS: /lib/modules and usually
 *   /etc/modules-load.d are read-only or managed; modules are persisted through the OS's own config.
 */
import { parseOsRelease, type OsRelease } from './parse/os-release.ts';
import type { HostRoot } from './root.ts';

export type OsFamily = 'debian' | 'ubuntu' | 'rhel' | 'fedora' | 'suse' | 'alpine' | 'amazon' | 'immutable' | 'other';

/** Immutable / managed OS ids as they appear in os-release ID. */
export const IMMUTABLE_OS_IDS = ['talos', 'bottlerocket', 'flatcar', 'cos', 'fedora-coreos', 'rhcos'] as const;
export type ImmutableOsId = (typeof IMMUTABLE_OS_IDS)[number];

const RHEL_LIKE = ['rhel', 'centos', 'rocky', 'almalinux', 'ol', 'oracle'];

export interface OsInfo {
  id?: string;
  versionId?: string;
  prettyName?: string;
  family: OsFamily;
  /** Set for immutable OSes: which one. */
  immutable?: ImmutableOsId;
  /** Major version number when VERSION_ID starts with one. */
  major?: number;
}

export function classifyOs(release: OsRelease): OsInfo {
  const id = release['ID']?.toLowerCase();
  const like = (release['ID_LIKE'] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const versionId = release['VERSION_ID'];
  const major = versionId && /^\d+/.test(versionId) ? Number.parseInt(versionId, 10) : undefined;
  const base = { id, versionId, prettyName: release['PRETTY_NAME'] ?? release['NAME'], major };
  const variant = (release['VARIANT_ID'] ?? '').toLowerCase();
  const immutable = IMMUTABLE_OS_IDS.find((candidate) => candidate === id)
    ?? (id === 'fedora' && variant === 'coreos' ? 'fedora-coreos' : undefined);
  if (immutable) return { ...base, family: 'immutable', immutable };
  if (id === 'ubuntu') return { ...base, family: 'ubuntu' };
  if (id === 'debian' || like.includes('debian')) return { ...base, family: 'debian' };
  if (id === 'fedora') return { ...base, family: 'fedora' };
  if (id === 'amzn') return { ...base, family: 'amazon' };
  if ((id && RHEL_LIKE.includes(id)) || like.includes('rhel')) return { ...base, family: 'rhel' };
  if (id?.includes('suse') || like.includes('suse')) return { ...base, family: 'suse' };
  if (id === 'alpine') return { ...base, family: 'alpine' };
  return { ...base, family: 'other' };
}

/**
 * Reads and classifies /etc/os-release (falling back to /usr/lib/os-release) below the host root.
 * `source` names the file and, through a link, where it led; `problems` says why a file there was not read
 * (then the fallback is not used: os-release(5) falls back only when /etc/os-release does not exist).
 */
export async function readOsInfo(host: Pick<HostRoot, 'read' | 'describe'>): Promise<OsInfo & { source?: string; problems?: string[] }> {
  const problems: string[] = [];
  for (const candidate of ['/etc/os-release', '/usr/lib/os-release']) {
    const read = await host.read(candidate, { maxBytes: OS_RELEASE_MAX_BYTES });
    if (read.ok) return { ...classifyOs(parseOsRelease(read.text)), source: host.describe(candidate) };
    // os-release(5): fall back to /usr/lib/os-release only when /etc/os-release does not exist.
    if (!read.absent) problems.push(read.reason);
    if (problems.length > 0) break;
  }
  return { family: 'other', ...(problems.length ? { problems } : {}) };
}

// os-release is a few hundred bytes; a larger one is not an os-release.
const OS_RELEASE_MAX_BYTES = 64 * 1024;
