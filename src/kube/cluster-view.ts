/**
 * The cluster-wide view behind GET /v1/nodes: every node's preflight labels, condition and report
 * annotation summary, read with one LIST and cached briefly so a dashboard polling every agent does not
 * turn into N LISTs per second.
 */
import type { KubeNodeApi, NodeInfo } from './client.ts';
import { DEFAULT_PREFIX, findCondition, ownKeys, parseReportAnnotation, type ReportAnnotation } from './node-status.ts';

/** One node as seen through our labels, condition and annotation. */
export interface NodeReadiness {
  name: string;
  ready?: string;
  backend?: string;
  mesh?: string;
  condition?: { status: string; reason?: string; message?: string; lastHeartbeatTime?: string };
  summary?: ReportAnnotation;
  /** Set when the annotation was present but ignored (not JSON, wrong shape). */
  note?: string;
}

export interface ListNodeReadinessOptions {
  /** Cache lifetime (ms); default 5000, 0 disables. */
  ttlMs?: number;
  now?: () => number;
}

const cache = new WeakMap<KubeNodeApi, Map<string, { at: number; value: Promise<NodeReadiness[]> }>>();

/** Maps one node to its readiness view. */
export function nodeReadiness(node: NodeInfo, prefix: string = DEFAULT_PREFIX): NodeReadiness {
  const keys = ownKeys(prefix);
  const cond = findCondition(node);
  const parsed = parseReportAnnotation(node.annotations[keys.report]);
  const out: NodeReadiness = { name: node.name };
  if (node.labels[keys.ready] !== undefined) out.ready = node.labels[keys.ready];
  if (node.labels[keys.backend] !== undefined) out.backend = node.labels[keys.backend];
  if (node.labels[keys.mesh] !== undefined) out.mesh = node.labels[keys.mesh];
  if (cond) {
    out.condition = { status: cond.status };
    if (cond.reason !== undefined) out.condition.reason = cond.reason;
    if (cond.message !== undefined) out.condition.message = cond.message;
    if (cond.lastHeartbeatTime !== undefined) out.condition.lastHeartbeatTime = cond.lastHeartbeatTime;
  }
  if (parsed.summary) out.summary = parsed.summary;
  if (parsed.note) out.note = parsed.note;
  return out;
}

/** Every node's readiness, sorted by name; one LIST per `ttlMs` per api and prefix. */
export function listNodeReadiness(api: KubeNodeApi, prefix: string = DEFAULT_PREFIX, opts: ListNodeReadinessOptions = {}): Promise<NodeReadiness[]> {
  const ttl = opts.ttlMs ?? 5000;
  const now = (opts.now ?? Date.now)();
  let perApi = cache.get(api);
  if (!perApi) cache.set(api, (perApi = new Map()));
  const hit = perApi.get(prefix);
  if (ttl > 0 && hit && now - hit.at < ttl) return hit.value;
  const value = api.listNodes().then((nodes) => nodes.map((n) => nodeReadiness(n, prefix)).sort((a, b) => a.name.localeCompare(b.name)));
  perApi.set(prefix, { at: now, value });
  // A failed LIST must not be served from the cache.
  value.catch(() => perApi.delete(prefix));
  return value;
}
