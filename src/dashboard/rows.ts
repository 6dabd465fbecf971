/**
 * The dashboard's view of nodes, independent of HTML: one row per node with a single readiness status,
 * built from the cluster view (NodeReadiness, what peers published) or, for this agent's own node,
 * from its full report. Pure functions; the route and the templates only read rows.
 */
import type { NodeReadiness } from '../api/types.ts';
import type { Report } from '../core/report.ts';

/** The four states the dashboard counts and filters by. */
export const rowStatuses = ['not-ready', 'degraded', 'unchecked', 'ready'] as const;
export type RowStatus = (typeof rowStatuses)[number];

/** One node as the dashboard shows it. */
export interface NodeRow {
  name: string;
  /** True when the name is a DNS-1123 subdomain, i.e. it can have a node page link. */
  linkable: boolean;
  /** True for the node this agent runs on (its full report is served here). */
  self: boolean;
  status: RowStatus;
  backend?: string;
  mesh?: string;
  /** Failing check ids. */
  failing: string[];
  /** Required kernel modules that are missing. */
  missing: string[];
  /** Required modules that could be loaded but are not; known only for this agent's own node. */
  notLoaded?: string[];
  /** Diagnosed init-container failures; known only for this agent's own node. */
  initFailures?: { count: number; categories: string[] };
  /** When the checks last ran (report generatedAt). */
  checkedAt?: string;
  /** The condition's last heartbeat. */
  heartbeatAt?: string;
  condition?: { status: string; reason: string; message: string };
}

// Node names are DNS-1123 subdomains: k8s.io/apimachinery/pkg/util/validation/validation.go,
// dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*", at most 253 characters
// (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names).
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `name` is a valid DNS-1123 subdomain (at most 253 characters). */
export function isNodeName(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

const severity: Record<RowStatus, number> = { 'not-ready': 0, degraded: 1, unchecked: 2, ready: 3 };

function worse(a: RowStatus, b: RowStatus): RowStatus {
  return severity[a] <= severity[b] ? a : b;
}

/**
 * A published node's status. The cluster list reads metadata only (labels and annotation, no
 * condition): there the annotation's verdict decides (else the ready label, which the agent sets only
 * with a report), and a node with neither is "never checked". When
 * the node was read whole, condition Unknown is "never checked" whatever the annotation says;
 * otherwise the condition (False → not-ready, True → ready, reason MeshInterceptionDegraded →
 * degraded) and the annotation's verdict are combined by taking the worse, so an inconsistency never
 * hides a problem.
 */
export function statusOfNode(node: NodeReadiness): RowStatus {
  const cond = node.condition;
  if (cond === undefined) {
    if (node.summary !== undefined) return node.summary.verdict;
    // The agent sets its labels only with a report, so a label alone (its annotation unreadable) still is one.
    return node.ready === 'false' ? 'not-ready' : node.ready === 'true' ? 'ready' : 'unchecked';
  }
  if (cond.status === 'Unknown') return 'unchecked';
  let status: RowStatus = cond.status === 'False' ? 'not-ready' : cond.reason === 'MeshInterceptionDegraded' ? 'degraded' : 'ready';
  if (node.summary !== undefined) status = worse(status, node.summary.verdict);
  return status;
}

function fromReport(report: Report): Pick<NodeRow, 'notLoaded' | 'initFailures'> {
  const mode = report.iptables?.modes.find((m) => m.backend === report.iptables?.meshBackend);
  const categories = [...new Set(report.initContainers.map((f) => f.category))].sort();
  return {
    notLoaded: mode?.notLoaded ?? report.modules.filter((m) => m.state === 'loadable').map((m) => m.name),
    initFailures: { count: report.initContainers.length, categories },
  };
}

/** A row from the cluster view; `self` adds what only this node's own report knows. */
export function rowFromReadiness(node: NodeReadiness, self?: Report): NodeRow {
  const row: NodeRow = {
    name: node.name,
    linkable: isNodeName(node.name),
    self: self !== undefined,
    status: statusOfNode(node),
    failing: node.summary?.failing ?? [],
    missing: node.summary?.missing ?? [],
  };
  const backend = node.backend ?? self?.iptables?.backend;
  const mesh = node.mesh ?? self?.mesh;
  if (backend !== undefined) row.backend = backend;
  if (mesh !== undefined) row.mesh = mesh;
  if (node.summary !== undefined) row.checkedAt = node.summary.generatedAt;
  if (node.condition !== undefined) {
    const { status, reason, message, lastHeartbeatTime } = node.condition;
    row.condition = { status, reason, message };
    if (lastHeartbeatTime !== undefined) row.heartbeatAt = lastHeartbeatTime;
  }
  return self === undefined ? row : { ...row, ...fromReport(self) };
}

/** A row for this agent's own node from its report alone (no Kubernetes). */
export function rowFromReport(report: Report): NodeRow {
  return {
    name: report.node,
    linkable: isNodeName(report.node),
    self: true,
    status: report.verdict,
    backend: report.iptables?.backend,
    mesh: report.mesh,
    failing: report.checks.filter((c) => c.status === 'fail').map((c) => c.id),
    missing: report.modules.filter((m) => m.state === 'missing').map((m) => m.name),
    checkedAt: report.generatedAt,
    ...fromReport(report),
  };
}

/** Builds the rows: every directory node (own node enriched by its report), or just this node. */
export function buildRows(nodes: readonly NodeReadiness[] | undefined, self: Report | undefined): NodeRow[] {
  if (nodes === undefined) return self === undefined ? [] : [rowFromReport(self)];
  return nodes.map((n) => rowFromReadiness(n, self !== undefined && self.node === n.name ? self : undefined));
}

/** How many rows are in each status. */
export function countRows(rows: readonly NodeRow[]): Record<RowStatus, number> {
  const counts: Record<RowStatus, number> = { 'not-ready': 0, degraded: 0, unchecked: 0, ready: 0 };
  for (const r of rows) counts[r.status] += 1;
  return counts;
}

/** Filter values accepted by `?filter=`. */
export const rowFilters = ['all', 'not-ready', 'degraded', 'unchecked', 'ready'] as const;
export type RowFilter = (typeof rowFilters)[number];

/** Sort keys accepted by `?sort=`. */
export const rowSorts = ['name', 'status', 'checked'] as const;
export type RowSort = (typeof rowSorts)[number];

/** Rows of a status (or all), whose name contains `text` (case-insensitive) when given. */
export function filterRows(rows: readonly NodeRow[], filter: RowFilter, text = ''): NodeRow[] {
  const needle = text.trim().toLowerCase();
  return rows.filter((r) => (filter === 'all' || r.status === filter) && (needle === '' || r.name.toLowerCase().includes(needle)));
}

function checkedMs(r: NodeRow): number {
  const ms = Date.parse(r.checkedAt ?? r.heartbeatAt ?? '');
  return Number.isFinite(ms) ? ms : Number.NEGATIVE_INFINITY;
}

const byName = (a: NodeRow, b: NodeRow) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Sorted copy: `name` ascending; `status` worst first (not ready, degraded, never checked, ready);
 * `checked` stalest first (never checked at the top), as the nodes needing attention come first.
 * Ties are broken by name so the order is stable across refreshes.
 */
export function sortRows(rows: readonly NodeRow[], sort: RowSort): NodeRow[] {
  const out = [...rows];
  if (sort === 'name') return out.sort(byName);
  if (sort === 'status') return out.sort((a, b) => severity[a.status] - severity[b.status] || byName(a, b));
  return out.sort((a, b) => checkedMs(a) - checkedMs(b) || byName(a, b));
}
