/** Every requirement option combination: mesh × backend × dnsCapture × interception × ipv6. */
import type { RequirementOptions } from '../../src/core/requirements.types.ts';

export function allRequirementOptions(): RequirementOptions[] {
  const out: RequirementOptions[] = [];
  for (const mesh of ['istio', 'linkerd'] as const)
    for (const backend of ['legacy', 'nft'] as const)
      for (const dnsCapture of [false, true])
        for (const interception of ['redirect', 'tproxy'] as const)
          for (const ipv6 of [false, true]) out.push({ mesh, backend, dnsCapture, interception, ipv6 });
  return out;
}
