/**
 * NodePublisher: writes our labels, annotation and MeshPreflightReady condition to this node, only on
 * change (plus a heartbeat at most every `heartbeatMinutes`). Each attempt re-reads the node and
 * re-diffs, so a 409 or a foreign write in between is absorbed; 409/429/5xx/network errors are retried
 * with jittered backoff (p-retry), honouring Retry-After. When the API server stays away the last
 * desired state is kept and a catch-up timer retries until it lands. Never touches keys it does not own.
 */
import pRetry, { AbortError } from 'p-retry';
import type { Report } from '../core/report.ts';
import { KubeApiError, type KubeNodeApi } from './client.ts';
import { cleanupPatches, desiredNodeState, diffNodeState, type DesiredNodeState, type NodePatches } from './node-status.ts';

export interface NodePublisherOptions {
  nodeName: string;
  prefix?: string;
  heartbeatMinutes?: number;
  /** Retries per publish (after the first attempt); default 4. */
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Delay before retrying a publish that failed for good; default 30 s. 0 disables the timer. */
  catchUpIntervalMs?: number;
  now?: () => Date;
  log?: (msg: string) => void;
}

/** Counters for metrics. */
export interface PublisherCounters {
  /** PATCH requests that succeeded. */
  writes: number;
  /** PATCH or GET attempts that failed (each retry counts). */
  writeErrors: number;
  /** Publishes that found nothing to write. */
  unchanged: number;
  /** Publishes that gave up after all retries (caught up later). */
  failedPublishes: number;
}

export interface PublishResult {
  ok: boolean;
  /** PATCH requests issued by this publish. */
  patches: number;
  error?: string;
}

/** Publishes this node's preflight state; see the file header for the guarantees. */
export class NodePublisher {
  private readonly api: KubeNodeApi;
  private readonly opts: NodePublisherOptions;
  private desired: DesiredNodeState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PublishResult> | undefined;
  private stopped = false;
  readonly counters: PublisherCounters = { writes: 0, writeErrors: 0, unchanged: 0, failedPublishes: 0 };
  /** Set while the last desired state has not reached the API server. */
  pending = false;
  lastError: string | undefined;

  constructor(api: KubeNodeApi, opts: NodePublisherOptions) {
    this.api = api;
    this.opts = opts;
  }

  /** Records the desired state for `report` (undefined: not checked yet) and writes what differs. */
  publish(report: Report | undefined): Promise<PublishResult> {
    this.desired = desiredNodeState(report, { ...(this.opts.prefix ? { prefix: this.opts.prefix } : {}) });
    this.pending = true;
    return this.flush();
  }

  /** Removes our labels, annotation and condition (agent uninstall / `--cleanup`). */
  async cleanup(): Promise<PublishResult> {
    this.stop();
    let patches = 0;
    try {
      await this.retrying(async () => {
        const node = await this.api.getNode(this.opts.nodeName);
        patches += await this.apply(cleanupPatches(node, this.opts.prefix));
      });
      return { ok: true, patches };
    } catch (err) {
      return { ok: false, patches, error: (err as Error).message };
    }
  }

  /** Stops the catch-up timer; later publish calls still work. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Serialises publishes: a call during a running one re-runs once it ends, with the newest state. */
  private flush(): Promise<PublishResult> {
    this.stopped = false;
    if (this.running) {
      return this.running.then(() => this.flush());
    }
    this.running = this.publishOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async publishOnce(): Promise<PublishResult> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let patches = 0;
    try {
      await this.retrying(async () => {
        const desired = this.desired;
        if (!desired) return;
        const node = await this.api.getNode(this.opts.nodeName);
        const now = (this.opts.now ?? (() => new Date()))();
        const diff = diffNodeState(node, desired, now, this.opts.heartbeatMinutes !== undefined ? { heartbeatMinutes: this.opts.heartbeatMinutes } : {});
        const n = await this.apply(diff);
        if (n === 0) this.counters.unchanged += 1;
        patches += n;
      });
      this.pending = false;
      this.lastError = undefined;
      return { ok: true, patches };
    } catch (err) {
      const msg = (err as Error).message;
      this.counters.failedPublishes += 1;
      this.lastError = msg;
      this.opts.log?.(`node publish failed, will retry: ${msg}`);
      this.scheduleCatchUp();
      return { ok: false, patches, error: msg };
    }
  }

  private scheduleCatchUp(): void {
    const every = this.opts.catchUpIntervalMs ?? 30_000;
    if (every <= 0 || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending && !this.stopped) void this.flush();
    }, every);
    this.timer.unref();
  }

  private async apply(p: NodePatches): Promise<number> {
    let n = 0;
    if (p.metadata) {
      await this.api.patchNodeMetadata(this.opts.nodeName, p.metadata);
      this.counters.writes += 1;
      n += 1;
    }
    if (p.status) {
      await this.api.patchNodeStatus(this.opts.nodeName, p.status);
      this.counters.writes += 1;
      n += 1;
    }
    return n;
  }

  private retrying(fn: () => Promise<void>): Promise<void> {
    const maxDelay = this.opts.maxRetryDelayMs ?? 10_000;
    return pRetry(
      async () => {
        try {
          await fn();
        } catch (err) {
          this.counters.writeErrors += 1;
          if (err instanceof KubeApiError && !err.retryable) throw new AbortError(err);
          throw err instanceof Error ? err : new Error(String(err));
        }
      },
      {
        retries: this.opts.retries ?? 4,
        minTimeout: this.opts.minRetryDelayMs ?? 500,
        maxTimeout: maxDelay,
        randomize: true,
        onFailedAttempt: async (err) => {
          const after = (err as unknown as KubeApiError).retryAfterSeconds;
          if (after !== undefined && after > 0) await new Promise((r) => setTimeout(r, Math.min(after * 1000, maxDelay)));
        },
      },
    );
  }
}
