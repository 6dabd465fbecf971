/** The API's cluster view (`GET /v1/nodes`, the dashboard) over the lean Kubernetes node list, in the API's vocabulary. */
import type { NodeDirectory, NodeReadiness } from '../api/types.ts';
import { MeshSchema, ObservedBackendSchema } from '../core/report-enums.ts';
import type { KubeNodeApi } from '../kube/client.ts';
import { ClusterView, nodeReadiness, type ClusterSnapshot, type NodeReadiness as KubeNodeReadiness } from '../kube/cluster-view.ts';

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
            warning: node.summary.warning,
            generatedAt: node.summary.generatedAt,
          },
        }
      : {}),
  };
}

export interface KubeNodeDirectoryOptions {
  /** Shortest cache lifetime (ms); 0 lists on every request. Default 5000 (it grows with the cluster). */
  minTtlMs?: number;
  chunkSize?: number;
}

/** Lists through a ClusterView (lean, coalesced, cached); reads one node whole for its condition. */
export function kubeNodeDirectory(api: KubeNodeApi, prefix: string, opts: KubeNodeDirectoryOptions = {}): NodeDirectory {
  const view = new ClusterView(api, { prefix, ...(opts.minTtlMs !== undefined ? { minTtlMs: opts.minTtlMs } : {}), ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}) });
  // The API rows of a snapshot are made once, not per request.
  const converted = new WeakMap<ClusterSnapshot, NodeReadiness[]>();
  return {
    list: async () => {
      const snapshot = await view.snapshot();
      let rows = converted.get(snapshot);
      if (!rows) converted.set(snapshot, (rows = snapshot.nodes.map(toApiReadiness)));
      return rows;
    },
    get: async (name) => {
      const node = await api.readNodeCached(name);
      return node === undefined ? undefined : toApiReadiness(nodeReadiness(node, prefix));
    },
  };
}
