/** The API's cluster view (`GET /v1/nodes`) over the Kubernetes node list, in the API's vocabulary. */
import type { NodeDirectory, NodeReadiness } from '../api/types.ts';
import { MeshSchema, ObservedBackendSchema } from '../core/report.ts';
import type { KubeNodeApi } from '../kube/client.ts';
import { listNodeReadiness, type NodeReadiness as KubeNodeReadiness } from '../kube/cluster-view.ts';

/** Translates what peers wrote (labels, condition, annotation) into NodeReadiness; bad values are dropped. */
export function toApiReadiness(node: KubeNodeReadiness): NodeReadiness {
  const ready = node.ready === 'true' || node.ready === 'false' ? node.ready : 'unknown';
  const backend = ObservedBackendSchema.safeParse(node.backend);
  const mesh = MeshSchema.safeParse(node.mesh);
  const status = node.condition?.status;
  return {
    name: node.name,
    ready,
    ...(backend.success ? { backend: backend.data } : {}),
    ...(mesh.success ? { mesh: mesh.data } : {}),
    ...(node.condition && (status === 'True' || status === 'False' || status === 'Unknown')
      ? {
          condition: {
            status,
            reason: node.condition.reason ?? '',
            message: node.condition.message ?? '',
            ...(node.condition.lastHeartbeatTime ? { lastHeartbeatTime: node.condition.lastHeartbeatTime } : {}),
          },
        }
      : {}),
    ...(node.summary
      ? {
          summary: {
            verdict: node.summary.verdict,
            failing: node.summary.failing,
            missing: node.summary.missingModules,
            generatedAt: node.summary.generatedAt,
          },
        }
      : {}),
  };
}

export function kubeNodeDirectory(api: KubeNodeApi, prefix: string, ttlMs = 5000): NodeDirectory {
  return {
    list: async () => (await listNodeReadiness(api, prefix, { ttlMs })).map(toApiReadiness),
  };
}
