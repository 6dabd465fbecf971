/**
 * Report → what the node should show (labels, one annotation, the MeshPreflightReady condition), and
 * the node's current state → the minimal patches to get there. Pure: no I/O, time passed in.
 *
 * Guarantees (after node-problem-detector's condition manager): we only ever touch keys under our
 * prefix and our one condition type; an unchanged node costs no write except a heartbeat refresh at
 * most every `heartbeatMinutes`; lastTransitionTime moves only when the condition status changes.
 */
import { z } from 'zod';
import type { Report, Verdict } from '../core/report.ts';
import type { NodeCondition, NodeInfo } from './client.ts';

export const DEFAULT_PREFIX = 'mesh-preflight.io/';
export const CONDITION_TYPE = 'MeshPreflightReady';
/** Upper bound of the report annotation (JSON text, bytes). */
export const ANNOTATION_MAX_BYTES = 4096;
export const DEFAULT_HEARTBEAT_MINUTES = 60;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Condition reasons, CamelCase as Kubernetes expects. */
export const conditionReasons = {
  ready: 'MeshInterceptionReady',
  degraded: 'MeshInterceptionDegraded',
  'not-ready': 'MeshInterceptionNotReady',
  unchecked: 'NotYetChecked',
} as const;

/** The compact report summary kept in the `<prefix>report` annotation. */
export const ReportAnnotationSchema = z.object({
  verdict: z.enum(['ready', 'degraded', 'not-ready']),
  mesh: z.string().optional(),
  backend: z.string().optional(),
  failing: z.array(z.string()),
  warning: z.array(z.string()).default([]),
  missingModules: z.array(z.string()),
  generatedAt: z.string(),
  truncated: z.boolean().optional(),
});
export type ReportAnnotation = z.infer<typeof ReportAnnotationSchema>;

/** What our part of the node should look like. */
export interface DesiredNodeState {
  /** Our labels; a null value means "remove". Empty when nothing has been checked yet. */
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
  condition: { type: string; status: ConditionStatus; reason: string; message: string };
}

/** A node's metadata merge patch and status strategic merge patch; either absent when not needed. */
export interface NodePatches {
  metadata?: { metadata: { labels?: Record<string, string | null>; annotations?: Record<string, string | null> } };
  status?: { status: { conditions: Array<Record<string, string>> } };
}

export interface NodeStatusOptions {
  prefix?: string;
  heartbeatMinutes?: number;
}

const PREFIX_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Throws unless `prefix` is a DNS subdomain (≤ 253 chars) followed by `/`. */
export function assertPrefix(prefix: string): string {
  if (!PREFIX_RE.test(prefix) || prefix.length - 1 > 253) {
    throw new Error(`invalid label prefix ${JSON.stringify(prefix)}: want a DNS subdomain followed by "/", e.g. ${DEFAULT_PREFIX}`);
  }
  return prefix;
}

/** True when `v` is a valid label value (≤ 63 chars, alphanumeric ends, `-_.` inside). */
export function isValidLabelValue(v: string): boolean {
  return v.length <= 63 && LABEL_VALUE_RE.test(v);
}

/** Our label and annotation keys for a prefix. */
export function ownKeys(prefix: string = DEFAULT_PREFIX) {
  return {
    ready: `${prefix}ready`,
    backend: `${prefix}iptables-backend`,
    mesh: `${prefix}mesh`,
    report: `${prefix}report`,
  };
}

/** The annotation summary, cut down until it fits ANNOTATION_MAX_BYTES. */
export function reportAnnotation(report: Report): ReportAnnotation {
  const summary: ReportAnnotation = {
    verdict: report.verdict,
    mesh: report.mesh,
    backend: report.iptables?.backend ?? 'unknown',
    failing: report.checks.filter((c) => c.status === 'fail').map((c) => c.id),
    warning: report.checks.filter((c) => c.status === 'warn').map((c) => c.id),
    missingModules: report.modules.filter((m) => m.state === 'missing').map((m) => m.name),
    generatedAt: report.generatedAt,
  };
  const size = (s: ReportAnnotation) => Buffer.byteLength(JSON.stringify(s));
  while (size(summary) > ANNOTATION_MAX_BYTES) {
    summary.truncated = true;
    const longest = (['warning', 'missingModules', 'failing'] as const).reduce((a, b) => (summary[a].length >= summary[b].length ? a : b));
    if (summary[longest].length === 0) break;
    summary[longest] = summary[longest].slice(0, Math.floor(summary[longest].length / 2));
  }
  return summary;
}

function conditionFor(report: Report | undefined): DesiredNodeState['condition'] {
  if (!report) {
    return { type: CONDITION_TYPE, status: 'Unknown', reason: conditionReasons.unchecked, message: 'mesh-preflight has not checked this node yet' };
  }
  const v: Verdict = report.verdict;
  const failing = report.checks.filter((c) => c.status === 'fail');
  const warning = report.checks.filter((c) => c.status === 'warn');
  const missing = report.modules.filter((m) => m.state === 'missing').map((m) => m.name);
  const backend = report.iptables ? `, ${report.iptables.meshBackend} rules` : '';
  let message: string;
  if (v === 'ready') message = `${report.mesh} traffic interception can be set up on this node${backend}`;
  else if (v === 'degraded') message = `${report.mesh} interception should work${backend}, with warnings: ${warning.map((c) => c.id).join(', ')}`;
  else {
    message = `${report.mesh} interception will fail on this node: ${failing.map((c) => `${c.id} (${c.summary})`).join('; ')}`;
    if (missing.length) message += `; missing kernel modules: ${missing.join(', ')}`;
  }
  if (message.length > 1024) message = message.slice(0, 1021) + '...';
  return {
    type: CONDITION_TYPE,
    status: v === 'not-ready' ? 'False' : 'True',
    reason: conditionReasons[v],
    message,
  };
}

/** What our labels, annotation and condition should be for a report, or for "not checked yet". */
export function desiredNodeState(report: Report | undefined, opts: NodeStatusOptions = {}): DesiredNodeState {
  const keys = ownKeys(assertPrefix(opts.prefix ?? DEFAULT_PREFIX));
  const condition = conditionFor(report);
  // Before the first check we leave labels and annotation as they are: flapping them off and on at
  // every agent restart would cost writes and mean nothing; the condition says Unknown.
  if (!report) return { labels: {}, annotations: {}, condition };
  const labels: Record<string, string> = {
    [keys.ready]: report.verdict === 'not-ready' ? 'false' : 'true',
    [keys.backend]: report.iptables?.backend ?? 'unknown',
    [keys.mesh]: report.mesh,
  };
  for (const [k, v] of Object.entries(labels)) {
    if (!isValidLabelValue(v)) throw new Error(`bug: label ${k}=${v} is not a valid label value`);
  }
  return { labels, annotations: { [keys.report]: JSON.stringify(reportAnnotation(report)) }, condition };
}

/** RFC 3339 without fractional seconds, as Kubernetes serialises metav1.Time. */
export function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function changedKeys(
  current: Record<string, string>,
  wanted: Record<string, string | null>,
  same: (a: string, b: string) => boolean = (a, b) => a === b,
): Record<string, string | null> | undefined {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(wanted)) {
    const cur = current[k];
    if (v === null ? k in current : cur === undefined || !same(cur, v)) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Report annotations that differ only in `generatedAt` count as equal: otherwise every periodic check
 * would cost a write. So `generatedAt` is the time of the report that last changed the summary.
 */
function sameAnnotation(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = parseReportAnnotation(a).summary;
  const pb = parseReportAnnotation(b).summary;
  if (!pa || !pb) return false;
  return JSON.stringify({ ...pa, generatedAt: '' }) === JSON.stringify({ ...pb, generatedAt: '' });
}

/** Finds our condition on a node. */
export function findCondition(node: Pick<NodeInfo, 'conditions'>): NodeCondition | undefined {
  return node.conditions.find((c) => c.type === CONDITION_TYPE);
}

/**
 * The minimal patches from the node's current state to `desired`: a metadata merge patch naming only
 * our keys that differ, and a status strategic-merge patch for our condition when its status, reason
 * or message changed, or its heartbeat is older than `heartbeatMinutes`.
 */
export function diffNodeState(node: NodeInfo, desired: DesiredNodeState, now: Date, opts: NodeStatusOptions = {}): NodePatches {
  const patches: NodePatches = {};
  const labels = changedKeys(node.labels, desired.labels);
  const annotations = changedKeys(node.annotations, desired.annotations, sameAnnotation);
  if (labels || annotations) patches.metadata = { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };

  const cur = findCondition(node);
  const want = desired.condition;
  const heartbeatMs = (opts.heartbeatMinutes ?? DEFAULT_HEARTBEAT_MINUTES) * 60_000;
  const same = cur !== undefined && cur.status === want.status && cur.reason === want.reason && cur.message === want.message;
  const lastBeat = cur?.lastHeartbeatTime ? Date.parse(cur.lastHeartbeatTime) : NaN;
  const fresh = Number.isFinite(lastBeat) && now.getTime() - lastBeat < heartbeatMs;
  if (!same || !fresh) {
    const transition = cur && cur.status === want.status && cur.lastTransitionTime ? cur.lastTransitionTime : kubeTime(now);
    patches.status = {
      status: { conditions: [{ ...want, lastHeartbeatTime: kubeTime(now), lastTransitionTime: transition }] },
    };
  }
  return patches;
}

/** Patches that remove exactly our labels, annotation and condition (nothing when none is there). */
export function cleanupPatches(node: NodeInfo, prefix: string = DEFAULT_PREFIX): NodePatches {
  assertPrefix(prefix);
  const ours = (m: Record<string, string>) => {
    const keys = Object.keys(m).filter((k) => k.startsWith(prefix));
    return keys.length ? Object.fromEntries(keys.map((k) => [k, null])) : undefined;
  };
  const labels = ours(node.labels);
  const annotations = ours(node.annotations);
  const patches: NodePatches = {};
  if (labels || annotations) patches.metadata = { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
  // `$patch: delete` on an element of a merge-keyed list removes it (strategic-merge-patch.md);
  // NodeStatus.conditions is patchMergeKey "type", so only our condition goes.
  if (findCondition(node)) patches.status = { status: { conditions: [{ type: CONDITION_TYPE, $patch: 'delete' }] } };
  return patches;
}

/** Parses our annotation back (from any node); undefined with a note when it is not ours or broken. */
export function parseReportAnnotation(text: string | undefined): { summary?: ReportAnnotation; note?: string } {
  if (text === undefined) return {};
  try {
    const r = ReportAnnotationSchema.safeParse(JSON.parse(text));
    return r.success ? { summary: r.data } : { note: `report annotation ignored: ${r.error.issues[0]?.message ?? 'invalid'}` };
  } catch (err) {
    return { note: `report annotation ignored: not JSON (${(err as Error).message})` };
  }
}
