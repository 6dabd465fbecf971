/**
 * What the HTTP API needs from the agent, as interfaces of our own: the server never imports the
 * runner, the Kubernetes client or the publisher, so it can be built and tested with plain objects.
 */
import { z } from 'zod';
import type { Report } from '../core/report.ts';
import { VerdictSchema, MeshSchema, ObservedBackendSchema } from '../core/report-enums.ts';
import type { PreflightMetrics } from './metrics.ts';

/** The agent's reports: the last good one, and a way to run the checks again now. */
export interface ReportSource {
  /** The last complete report, or undefined before the first run has finished. */
  latest(): Report | undefined;
  /** Runs the checks now and resolves with the new report; may throw the Recheck*Error classes below. */
  recheck(): Promise<Report>;
}

/** Thrown by ReportSource.recheck when a run is already in progress (→ 429). */
export class RecheckBusyError extends Error {
  override readonly name = 'RecheckBusyError';
  constructor(readonly retryAfterSeconds = 1, message = 'a check run is already in progress') {
    super(message);
  }
}

/** Thrown by ReportSource.recheck when the last run is too recent (→ 429). */
export class RecheckTooSoonError extends Error {
  override readonly name = 'RecheckTooSoonError';
  constructor(readonly retryAfterSeconds: number, message = 'the last check run is too recent') {
    super(message);
  }
}

/** The node's `MeshPreflightReady` condition, as read back from the API server. */
export const NodeConditionSummarySchema = z.object({
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastHeartbeatTime: z.string().optional(),
});

/** The short summary of a node's report (from its annotation). */
export const NodeReportSummarySchema = z.object({
  verdict: VerdictSchema,
  failing: z.array(z.string()),
  missing: z.array(z.string()),
  /** Warning check ids (annotations published before this field existed lack it). */
  warning: z.array(z.string()).optional(),
  generatedAt: z.string(),
});

/** One node as seen by `/v1/nodes`: labels, condition and summary translated back to our vocabulary. */
export const NodeReadinessSchema = z.object({
  name: z.string().min(1),
  ready: z.enum(['true', 'false', 'unknown']),
  backend: ObservedBackendSchema.optional(),
  mesh: MeshSchema.optional(),
  condition: NodeConditionSummarySchema.optional(),
  summary: NodeReportSummarySchema.optional(),
});
export type NodeReadiness = z.infer<typeof NodeReadinessSchema>;

/** The cluster's nodes; absent when the agent runs without Kubernetes. */
export interface NodeDirectory {
  /** Every node (from labels and annotation: no condition), sorted by name. */
  list(): Promise<NodeReadiness[]>;
  /** One node read whole, with its condition; undefined when the cluster has no such node. */
  get?(name: string): Promise<NodeReadiness | undefined>;
}

/** Decides whether a recheck request may run, from its raw `Authorization` header (e.g. a TokenReview). */
export type RecheckAuthorizer = (authorizationHeader: string | undefined) => Promise<{ allowed: boolean; reason?: string }>;

/** How `POST /v1/recheck` behaves. */
export interface RecheckSettings {
  /** Default true; when false the route answers 403 `recheck-disabled`. */
  enabled?: boolean;
  /** Minimum time between the end of one run and the start of the next; default 10 000 ms. */
  minIntervalMs?: number;
  /** When set, a `Authorization: Bearer …` header is required and checked by it. */
  authorizer?: RecheckAuthorizer;
}

/** Everything buildServer needs. */
export interface ApiDeps {
  reports: ReportSource;
  /** Undefined without Kubernetes: `/v1/nodes` then answers 503. */
  nodes?: NodeDirectory;
  /** The metrics to serve on `/metrics`; a fresh set is created when absent. */
  metrics?: PreflightMetrics;
  recheck?: RecheckSettings;
  /** Milliseconds clock, injectable for tests; defaults to Date.now. */
  now?: () => number;
}
