/**
 * A NodeDirectory over the real cluster view (src/kube/cluster-view.ts), translating its loose
 * NodeReadiness (strings straight from labels) into the API's schema. The agent needs the same
 * translation when it wires `listNodeReadiness` into buildServer; this copy is what the test uses.
 */
import type { NodeDirectory, NodeReadiness } from '../../src/api/types.ts';
import { MeshSchema, ObservedBackendSchema } from '../../src/core/report.ts';
import type { KubeNodeApi } from '../../src/kube/client.ts';
import { listNodeReadiness, type NodeReadiness as KubeNodeReadiness } from '../../src/kube/cluster-view.ts';

const READY = new Set(['true', 'false']);
const CONDITION = new Set(['True', 'False', 'Unknown']);

/** One cluster-view entry in the API's vocabulary; unknown label values become absent/unknown. */
export function toApiReadiness(n: KubeNodeReadiness): NodeReadiness {
  const out: NodeReadiness = { name: n.name, ready: n.ready !== undefined && READY.has(n.ready) ? (n.ready as 'true' | 'false') : 'unknown' };
  const backend = ObservedBackendSchema.safeParse(n.backend);
  if (backend.success) out.backend = backend.data;
  const mesh = MeshSchema.safeParse(n.mesh);
  if (mesh.success) out.mesh = mesh.data;
  if (n.condition !== undefined && CONDITION.has(n.condition.status)) {
    out.condition = {
      status: n.condition.status as 'True' | 'False' | 'Unknown',
      reason: n.condition.reason ?? '',
      message: n.condition.message ?? '',
      ...(n.condition.lastHeartbeatTime !== undefined ? { lastHeartbeatTime: n.condition.lastHeartbeatTime } : {}),
    };
  }
  if (n.summary !== undefined) {
    out.summary = { verdict: n.summary.verdict, failing: n.summary.failing, missing: n.summary.missingModules, generatedAt: n.summary.generatedAt };
  }
  return out;
}

/** A NodeDirectory listing nodes through `api` (uncached, so each page load sees the fake's state). */
export function kubeNodeDirectory(api: KubeNodeApi): NodeDirectory {
  return { list: async () => (await listNodeReadiness(api, undefined, { ttlMs: 0 })).map(toApiReadiness) };
}
