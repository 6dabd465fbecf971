/**
 * Requirement option combinations: mesh × backend × dnsCapture × interception × ipv6 (the sidecar
 * iptables modes), and, with allModeOptions, also every dataplane, native nftables and the Istio
 * releases whose rules differ (1.22: one ipset; 1.23: TPROXY era, split sets; 1.24+: REDIRECT; 1.27+: -I).
 */
import type { RequirementOptions } from '../../src/core/requirements.types.ts';
import { meshes } from '../../src/core/report.ts';
import { profiles } from '../../checks/profiles/index.ts';

export function allRequirementOptions(): RequirementOptions[] {
  const out: RequirementOptions[] = [];
  for (const mesh of meshes)
    for (const backend of ['legacy', 'nft'] as const)
      for (const dnsCapture of [false, true])
        for (const interception of ['redirect', 'tproxy'] as const)
          for (const ipv6 of [false, true]) out.push({ mesh, backend, dnsCapture, interception, ipv6 });
  return out;
}

/** Releases worth deriving for a mesh: each boundary its profile's conditions name, and the newest. */
export function releasesOf(mesh: RequirementOptions['mesh']): (string | undefined)[] {
  const known = profiles[mesh].versions.known;
  return known.length === 0 ? [undefined] : ['1.22', '1.23', '1.24', '1.26', '1.27', '1.28'].filter((v) => known.includes(v)).concat(known.includes('1.22') ? [] : [known.at(-1)!]);
}

export function allModeOptions(): RequirementOptions[] {
  const out: RequirementOptions[] = [];
  for (const base of allRequirementOptions()) {
    const profile = profiles[base.mesh];
    for (const dataplane of profile.dataplanes) {
      for (const meshVersion of releasesOf(base.mesh)) {
        const version = meshVersion === undefined ? {} : { meshVersion };
        out.push({ ...base, dataplane, ...version });
        if (profile.nftables?.[dataplane] && base.backend === 'nft') out.push({ ...base, dataplane, nativeNftables: true, ...version });
      }
    }
  }
  return out;
}
