/**
 * --mesh-version: which release of a mesh profile requirements follow. Versions are `X.Y`; an unknown one
 * resolves to the nearest known release (ties go to the newer), with a warning for the report.
 */
import type { MeshProfile, VersionRange } from '../../checks/profiles/types.ts';

const parse = (v: string): [number, number] => {
  const [major, minor] = v.split('.').map((n) => Number.parseInt(n, 10));
  return [major ?? 0, minor ?? 0];
};

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const [am, an] = parse(a);
  const [bm, bn] = parse(b);
  return am !== bm ? am - bm : an - bn;
}

/** Whether `version` lies in the inclusive range; with no version (an unversioned profile) only open-ended ranges hold. */
export function versionInRange(version: string | undefined, range: VersionRange | undefined): boolean {
  if (!range) return true;
  if (version === undefined) return range.until === undefined;
  if (range.from !== undefined && compareVersions(version, range.from) < 0) return false;
  if (range.until !== undefined && compareVersions(version, range.until) > 0) return false;
  return true;
}

export interface ResolvedVersion {
  /** The known release requirements follow; undefined when the profile distinguishes none. */
  version?: string;
  warning?: string;
}

/** The profile release for a requested version (default: the newest known). */
export function resolveMeshVersion(profile: Pick<MeshProfile, 'mesh' | 'versions'>, requested?: string): ResolvedVersion {
  const known = profile.versions.known;
  if (known.length === 0) {
    return requested === undefined
      ? {}
      : { warning: `--mesh-version ${requested}: the ${profile.mesh} profile is the same for every release it covers; nothing depends on the version` };
  }
  const newest = known[known.length - 1]!;
  if (requested === undefined) return { version: newest };
  if (known.includes(requested)) return { version: requested };
  const distance = (v: string) => {
    const [am, an] = parse(v);
    const [bm, bn] = parse(requested);
    return Math.abs(am - bm) * 1000 + Math.abs(an - bn);
  };
  const nearest = [...known].sort((a, b) => distance(a) - distance(b) || compareVersions(b, a))[0]!;
  return {
    version: nearest,
    warning: `--mesh-version ${requested} is not a release the ${profile.mesh} profile knows (${known.join(', ')}): requirements follow the nearest, ${nearest}`,
  };
}
