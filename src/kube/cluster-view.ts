/**
 * The cluster-wide view behind GET /v1/nodes and the dashboard: every node's preflight labels and
 * report annotation summary, read the lean way (metadata-only, paged: src/kube/lean-read.ts) and kept
 * as small per-node rows. One list in flight however many requests arrive; the result is cached for a
 * lifetime that grows with the cluster (5 s up to 30 s at 5,000 nodes), and served for as long again
 * while a background list refreshes it, so dashboards polling every agent do not turn into N LISTs per
 * second, nor wait for one. The condition (with its message and heartbeat) is not
 * in metadata: it comes from a selected read of one node (`nodeReadiness` of a whole Node).
 */
import type { NodeInfo } from './client.ts';
import type { ListStats, MetadataListOptions, ObjectMeta } from './lean-read.ts';
import { DEFAULT_PREFIX, findCondition, ownKeys, parseReportAnnotation, type ReportAnnotation } from './node-status.ts';

/** One node as seen through our labels, annotation and (when read) condition. */
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

/** Maps one node (its metadata, and its conditions when read whole) to its readiness view. */
export function nodeReadiness(node: Pick<NodeInfo, 'name' | 'labels' | 'annotations'> & { conditions?: NodeInfo['conditions'] }, prefix: string = DEFAULT_PREFIX): NodeReadiness {
  const keys = ownKeys(prefix);
  const cond = node.conditions ? findCondition({ conditions: node.conditions }) : undefined;
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

/** What the view needs from the API server: a paged metadata list of nodes. */
export interface NodeMetadataLister {
  listNodeMetadata(opts: MetadataListOptions): Promise<ListStats>;
}

/** One complete read of the cluster. */
export interface ClusterSnapshot {
  /** Sorted by name. */
  nodes: NodeReadiness[];
  /** When the read finished (ms). */
  at: number;
  stats: ListStats;
}

export interface ClusterViewOptions {
  prefix?: string;
  /** Shortest cache lifetime (ms); default 5000. 0 disables the cache (every call lists). */
  minTtlMs?: number;
  /** Lifetime added per node (ms); default 6 (5,000 nodes → 30 s). */
  perNodeTtlMs?: number;
  /** Longest cache lifetime (ms); default 30 000. */
  maxTtlMs?: number;
  /** Items per page; default 500 (kubectl's default chunk size). */
  chunkSize?: number;
  now?: () => number;
}

/** The cached, coalesced cluster view. */
export class ClusterView {
  private cached: ClusterSnapshot | undefined;
  private inflight: Promise<ClusterSnapshot> | undefined;
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(
    private readonly lister: NodeMetadataLister,
    private readonly opts: ClusterViewOptions = {},
  ) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.now = opts.now ?? Date.now;
  }

  /** How long a snapshot of `nodes` nodes is served from the cache. */
  ttlMs(nodes: number): number {
    const min = this.opts.minTtlMs ?? 5000;
    if (min === 0) return 0;
    const max = Math.max(min, this.opts.maxTtlMs ?? 30_000);
    return Math.min(max, Math.max(min, nodes * (this.opts.perNodeTtlMs ?? 6)));
  }

  /**
   * The current snapshot: cached while fresh; up to twice its lifetime, still served at once while one
   * list refreshes it in the background; older (or none), one list shared by every caller waiting for it.
   */
  snapshot(): Promise<ClusterSnapshot> {
    const cached = this.cached;
    const ttl = cached ? this.ttlMs(cached.nodes.length) : 0;
    const age = cached ? this.now() - cached.at : Infinity;
    if (cached && age < ttl) return Promise.resolve(cached);
    const run = this.refresh();
    if (cached && age < 2 * ttl) {
      run.catch(() => undefined); // a failed background refresh leaves the last snapshot to expire
      return Promise.resolve(cached);
    }
    return run;
  }

  private refresh(): Promise<ClusterSnapshot> {
    if (this.inflight) return this.inflight;
    const run = this.read().finally(() => {
      if (this.inflight === run) this.inflight = undefined;
    });
    this.inflight = run;
    return run;
  }

  private async read(): Promise<ClusterSnapshot> {
    let nodes: NodeReadiness[] = [];
    const stats = await this.lister.listNodeMetadata({
      chunkSize: this.opts.chunkSize ?? 500,
      onPage: (items: ObjectMeta[], page) => {
        if (page.restart) nodes = [];
        // Only the small rows stay; the page (and its managedFields, other labels...) is dropped.
        for (const item of items) nodes.push(nodeReadiness(item, this.prefix));
      },
    });
    nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const snapshot = { nodes, at: this.now(), stats };
    this.cached = snapshot;
    return snapshot;
  }
}
