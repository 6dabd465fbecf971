/**
 * Prometheus metrics of the agent, on a registry of our own (never prom-client's global one, so two
 * servers in one process or in one test file do not collide).
 *
 * State gauges follow kube-state-metrics' convention for enumerations (kube_pod_status_phase, see
 * https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/pod-metrics.md):
 * one series per possible value, 1 for the current one and 0 for the others, so `== 1` selects the
 * current state and a state change never leaves an old series at 1. Each update resets the gauges
 * first, so a check or module that disappears from the report disappears from /metrics too.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { InitContainerFinding, Report } from '../core/report.ts';
import { checkStatuses, moduleStates, observedBackends } from '../core/report-enums.ts';

/** How many distinct init-container findings are remembered for de-duplication. */
const SEEN_FINDINGS_CAP = 10_000;

/** Buckets for a full check run: from a fast cached run to a slow probe in a network namespace. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Options of createMetrics. */
export interface MetricsOptions {
  /** Register prom-client's default process and Node.js metrics; default true. */
  defaultMetrics?: boolean;
}

/** The agent's metrics: fed from each report, served by `GET /metrics`. */
export class PreflightMetrics {
  /** The registry to serve (its `contentType` goes in the response header). */
  readonly registry = new Registry();
  /** The report the gauges currently reflect. */
  lastReport: Report | undefined;

  readonly #checkStatus: Gauge<'check' | 'status'>;
  readonly #moduleState: Gauge<'module' | 'state'>;
  readonly #backend: Gauge<'backend'>;
  readonly #ready: Gauge<'verdict'>;
  readonly #reportTime: Gauge;
  readonly #duration: Histogram;
  readonly #initFailures: Counter<'category'>;
  readonly #kubeWriteErrors: Counter;
  readonly #seenFindings = new Set<string>();

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.#checkStatus = new Gauge({
      name: 'mesh_preflight_check_status',
      help: 'Status of each check in the latest report: 1 for the current status, 0 for the others.',
      labelNames: ['check', 'status'],
      registers,
    });
    this.#moduleState = new Gauge({
      name: 'mesh_preflight_module_state',
      help: 'State of each kernel module the mesh needs: 1 for the current state, 0 for the others.',
      labelNames: ['module', 'state'],
      registers,
    });
    this.#backend = new Gauge({
      name: 'mesh_preflight_iptables_backend',
      help: 'Backend of the node\'s own iptables rules: 1 for the observed backend, 0 for the others.',
      labelNames: ['backend'],
      registers,
    });
    this.#ready = new Gauge({
      name: 'mesh_preflight_ready',
      help: 'Whether the mesh can set up its interception on this node (1 for ready or degraded, 0 for not-ready); verdict label carries the verdict.',
      labelNames: ['verdict'],
      registers,
    });
    this.#reportTime = new Gauge({
      name: 'mesh_preflight_report_timestamp_seconds',
      help: 'Unix time at which the latest report was generated.',
      registers,
    });
    this.#duration = new Histogram({
      name: 'mesh_preflight_check_duration_seconds',
      help: 'Duration of a full check run.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#initFailures = new Counter({
      name: 'mesh_preflight_init_container_failures_total',
      help: 'Failed mesh init containers diagnosed on this node, by category; each finding is counted once.',
      labelNames: ['category'],
      registers,
    });
    this.#kubeWriteErrors = new Counter({
      name: 'mesh_preflight_kube_write_errors_total',
      help: 'Failed writes of node labels, annotation or condition to the Kubernetes API.',
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Makes the gauges reflect `report` and counts its new init-container findings; observes the run
   * duration when given (leave it out when re-syncing a report already observed).
   */
  updateFromReport(report: Report, durationSeconds?: number): void {
    this.#checkStatus.reset();
    for (const check of report.checks) {
      for (const status of checkStatuses) {
        this.#checkStatus.set({ check: check.id, status }, check.status === status ? 1 : 0);
      }
    }

    this.#moduleState.reset();
    for (const mod of report.modules) {
      for (const state of moduleStates) {
        this.#moduleState.set({ module: mod.name, state }, mod.state === state ? 1 : 0);
      }
    }

    this.#backend.reset();
    if (report.iptables !== undefined) {
      for (const backend of observedBackends) {
        this.#backend.set({ backend }, report.iptables.backend === backend ? 1 : 0);
      }
    }

    this.#ready.reset();
    this.#ready.set({ verdict: report.verdict }, report.verdict === 'not-ready' ? 0 : 1);

    const generated = Date.parse(report.generatedAt);
    if (Number.isFinite(generated)) this.#reportTime.set(generated / 1000);
    else this.#reportTime.reset();

    for (const finding of report.initContainers) {
      const key = findingKey(finding);
      if (this.#seenFindings.has(key)) continue;
      this.#remember(key);
      this.#initFailures.inc({ category: finding.category });
    }

    if (durationSeconds !== undefined && Number.isFinite(durationSeconds) && durationSeconds >= 0) {
      this.#duration.observe(durationSeconds);
    }
    this.lastReport = report;
  }

  /** Counts one failed write to the Kubernetes API (the publisher calls it). */
  onKubeWriteError(): void {
    this.#kubeWriteErrors.inc();
  }

  #remember(key: string): void {
    // A Set iterates in insertion order, so the first entry is the oldest.
    if (this.#seenFindings.size >= SEEN_FINDINGS_CAP) {
      const oldest = this.#seenFindings.values().next().value;
      if (oldest !== undefined) this.#seenFindings.delete(oldest);
    }
    this.#seenFindings.add(key);
  }
}

/**
 * Identity of one init-container failure: the same failed attempt is reported by every log scan and
 * by the watcher, so neither the scan time nor the source is part of it (nor the pod UID, which only
 * one of them may know); a new restart is a new failure.
 */
function findingKey(finding: InitContainerFinding): string {
  return JSON.stringify([
    finding.namespace,
    finding.pod,
    finding.container,
    finding.restartCount ?? null,
    finding.category,
  ]);
}

/** Creates the agent's metrics on a fresh registry. */
export function createMetrics(options: MetricsOptions = {}): PreflightMetrics {
  return new PreflightMetrics(options);
}
