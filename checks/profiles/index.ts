/** The explicit list of mesh profiles, keyed by mesh. */
import type { Mesh } from '../../src/core/report.ts';
import type { MeshProfile } from './types.ts';
import { istioProfile } from './istio.ts';
import { linkerdProfile } from './linkerd.ts';
import { kumaProfile } from './kuma.ts';
import { consulProfile } from './consul.ts';

/** Every shipped mesh profile. */
export const profiles: Readonly<Record<Mesh, MeshProfile>> = {
  istio: istioProfile,
  linkerd: linkerdProfile,
  kuma: kumaProfile,
  consul: consulProfile,
};
