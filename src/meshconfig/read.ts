/** Reads the mesh's own ConfigMaps through the API server (only those the overlay's Role names). */
import type { KubeNodeApi } from '../kube/client.ts';
import type { MeshConfigMaps } from './configmaps.ts';

export interface MeshFromClusterSettings {
  /** Read only this mesh's ConfigMaps (--mesh given on the command line); undefined: Istio's and Linkerd's. */
  mesh?: string;
  istioNamespace: string;
  linkerdNamespace: string;
}

export const DEFAULT_MESH_NAMESPACES = { istio: 'istio-system', linkerd: 'linkerd' } as const;

/** The ConfigMaps that exist; a 404 is "not installed", any other failure (403, timeout) throws. */
export async function readMeshConfigMaps(api: Required<Pick<KubeNodeApi, 'getConfigMap'>>, s: MeshFromClusterSettings): Promise<MeshConfigMaps> {
  const istio = s.mesh === undefined || s.mesh === 'istio';
  const linkerd = s.mesh === undefined || s.mesh === 'linkerd';
  const [istioMesh, istioCni, linkerdConfig] = await Promise.all([
    istio ? api.getConfigMap(s.istioNamespace, 'istio') : undefined,
    istio ? api.getConfigMap(s.istioNamespace, 'istio-cni-config') : undefined,
    linkerd ? api.getConfigMap(s.linkerdNamespace, 'linkerd-config') : undefined,
  ]);
  return { ...(istioMesh ? { istioMesh } : {}), ...(istioCni ? { istioCni } : {}), ...(linkerdConfig ? { linkerdConfig } : {}) };
}
