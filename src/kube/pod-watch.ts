/**
 * InitContainerWatcher: watches this node's pods only (`fieldSelector=spec.nodeName=<node>`) and
 * turns failed mesh init containers (istio-init, istio-validation, linkerd-init, ...) into findings:
 * fetch the failed instance's log (bounded, rate-limited), classify it with the injected classifier,
 * keep the latest finding per (pod, container), and record a Warning Event `MeshInitFailure` on the pod.
 *
 * List-then-watch as client-go's reflector does: resume from the last resourceVersion seen (objects or
 * BOOKMARKs) when a watch ends; relist when the server says 410 Gone/Expired (HTTP status or ERROR event,
 * api-concepts "410 Gone responses").
 *
 * One failed run is identified by (pod uid, container, attempt): a container `terminated` now is attempt
 * `restartCount`; a container whose `lastState` is terminated (CrashLoopBackOff, or running again) shows
 * attempt `restartCount - 1`. The same failure seen both ways counts once.
 *
 * The mesh node agents (src/core/mesh-agents.ts: the istio-cni node agent, ztunnel) are regular DaemonSet
 * containers: a crashed run is found the same way in `containerStatuses`, and since a running agent can
 * fail without exiting, the current log of each running agent on the node is also read every
 * `agentLogIntervalMs` (same rate limit); error lines there are a finding until a later read is clean.
 */
import type { InitContainerFinding } from '../core/report.ts';
import { DEFAULT_INIT_CONTAINERS } from '../core/options.ts';
import { MESH_AGENT_CONTAINERS, meshAgentOf, type MeshAgentContainer } from '../core/mesh-agents.ts';
import type { ContainerStatusInfo, KubeNodeApi, PodInfo, WatchHandle } from './client.ts';
import { KubeApiError } from './client.ts';

/** What the classifier is told besides the log text. */
export interface ClassifyContext {
  container: string;
  exitCode?: number;
  podLabels: Record<string, string>;
  namespace: string;
  pod: string;
  /** `terminated.reason` (`Error`, `OOMKilled`, ...) or `CrashLoopBackOff`. */
  reason?: string;
}

/** The classifier's verdict on one log: the finding minus what the watcher knows. */
export type ClassifiedFailure = Pick<InitContainerFinding, 'category' | 'nodeProblem' | 'modules' | 'matchedLine' | 'explanation' | 'remediation'> &
  Partial<Pick<InitContainerFinding, 'table' | 'extension'>>;

/** Log text → classified failure, or undefined when no signature matched. */
export type ClassifyFn = (logText: string, ctx: ClassifyContext) => ClassifiedFailure | undefined | Promise<ClassifiedFailure | undefined>;

export interface InitContainerWatcherOptions {
  api: KubeNodeApi;
  nodeName: string;
  classify: ClassifyFn;
  /** Container names to watch; default DEFAULT_INIT_CONTAINERS. */
  containers?: readonly string[];
  /** Node agent containers to follow (default MESH_AGENT_CONTAINERS; [] for none). */
  agents?: readonly MeshAgentContainer[];
  /** How often the current log of each running agent is read; 0 never (default 5 minutes). */
  agentLogIntervalMs?: number;
  logTailLines?: number;
  logLimitBytes?: number;
  /** Minimum gap between two log fetches. */
  logMinIntervalMs?: number;
  /** Failures waiting for a log fetch beyond this are dropped (counted). */
  maxQueued?: number;
  recordEvents?: boolean;
  maxFindings?: number;
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  component?: string;
  now?: () => Date;
  log?: (msg: string) => void;
  onFinding?: (f: InitContainerFinding) => void;
}

/** Counters for metrics and tests. */
export interface WatcherStats {
  lists: number;
  watches: number;
  relistsAfterGone: number;
  watchErrors: number;
  logFetches: number;
  logErrors: number;
  droppedFailures: number;
  events: number;
  eventErrors: number;
  findings: number;
}

interface FailedRun {
  key: string;
  pod: PodInfo;
  status: ContainerStatusInfo;
  attempt: number;
  exitCode?: number;
  reason?: string;
  previous: boolean;
  /** A node agent (regular container) rather than an init container. */
  agent: boolean;
  /** A read of a running agent's current log, not a run that ended. */
  current?: boolean;
}

export const EVENT_REASON = 'MeshInitFailure';
export const AGENT_EVENT_REASON = 'MeshAgentFailure';

/** Finds the failed runs of watched init containers and of mesh node agents in a pod. */
export function failedRuns(pod: PodInfo, containers: readonly string[], agents: readonly MeshAgentContainer[] = MESH_AGENT_CONTAINERS): FailedRun[] {
  const watched = [
    ...pod.initContainerStatuses.filter((st) => containers.includes(st.name)).map((st) => ({ st, agent: false })),
    ...(pod.containerStatuses ?? []).filter((st) => meshAgentOf(pod.name, st.name, agents)).map((st) => ({ st, agent: true })),
  ];
  const out: FailedRun[] = [];
  for (const { st, agent } of watched) {
    const base = { pod, status: st, agent };
    const now = st.state.terminated;
    const last = st.lastState.terminated;
    if (now && now.exitCode !== 0) {
      out.push({ ...base, key: `${pod.uid}/${st.name}/${st.restartCount}`, attempt: st.restartCount, exitCode: now.exitCode, ...(now.reason ? { reason: now.reason } : {}), previous: false });
    } else if (last && last.exitCode !== 0 && st.restartCount > 0) {
      const attempt = st.restartCount - 1;
      const reason = st.state.waiting?.reason ?? last.reason;
      out.push({ ...base, key: `${pod.uid}/${st.name}/${attempt}`, attempt, exitCode: last.exitCode, ...(reason ? { reason } : {}), previous: true });
    } else if (st.state.waiting?.reason === 'CrashLoopBackOff') {
      const attempt = Math.max(0, st.restartCount - 1);
      out.push({ ...base, key: `${pod.uid}/${st.name}/${attempt}`, attempt, reason: 'CrashLoopBackOff', previous: true });
    }
  }
  return out;
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 3) + '...' : t;
}

/** Watches this node's mesh init containers; see the file header. */
export class InitContainerWatcher {
  readonly stats: WatcherStats = { lists: 0, watches: 0, relistsAfterGone: 0, watchErrors: 0, logFetches: 0, logErrors: 0, droppedFailures: 0, events: 0, eventErrors: 0, findings: 0 };
  private readonly o: Required<Omit<InitContainerWatcherOptions, 'log' | 'onFinding' | 'now'>> & Pick<InitContainerWatcherOptions, 'log' | 'onFinding'> & { now: () => Date };
  private readonly seen = new Set<string>();
  private readonly latest = new Map<string, InitContainerFinding>();
  /** Running agent containers by slot (`uid/container`), whose current log is read periodically. */
  private readonly runningAgents = new Map<string, { pod: PodInfo; status: ContainerStatusInfo }>();
  /** Slots whose finding came from a current-log read (cleared by a clean read). */
  private readonly currentSlots = new Set<string>();
  private agentTimer: ReturnType<typeof setInterval> | undefined;
  private queue: FailedRun[] = [];
  private draining: Promise<void> | undefined;
  private lastFetch = 0;
  private stopped = true;
  private loop: Promise<void> | undefined;
  private handle: WatchHandle | undefined;
  private wake: (() => void) | undefined;
  private resourceVersion = '';
  private syncedResolve: () => void = () => {};
  /** Resolves once the first list has been processed. */
  readonly synced: Promise<void>;

  constructor(opts: InitContainerWatcherOptions) {
    this.o = {
      containers: DEFAULT_INIT_CONTAINERS,
      agents: MESH_AGENT_CONTAINERS,
      agentLogIntervalMs: 5 * 60_000,
      logTailLines: 200,
      logLimitBytes: 64 * 1024,
      logMinIntervalMs: 1000,
      maxQueued: 50,
      recordEvents: true,
      maxFindings: 100,
      reconnectDelayMs: 1000,
      maxReconnectDelayMs: 30_000,
      component: 'mesh-preflight',
      now: () => new Date(),
      ...opts,
    };
    this.synced = new Promise((r) => (this.syncedResolve = r));
  }

  /** Starts list+watch in the background. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
    if (this.o.agentLogIntervalMs > 0) {
      this.agentTimer = setInterval(() => this.pollAgentLogs(), this.o.agentLogIntervalMs);
      this.agentTimer.unref?.();
    }
  }

  /** Stops watching and waits for pending log fetches to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.agentTimer) clearInterval(this.agentTimer);
    this.agentTimer = undefined;
    this.handle?.stop();
    this.wake?.();
    await this.loop;
    this.queue = [];
    await this.draining;
  }

  /** The latest finding per (pod, container), newest first. */
  findings(): InitContainerFinding[] {
    return [...this.latest.values()].reverse();
  }

  /** Resolves when no failure waits for its log or classification. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Looks at one pod (from a list or a watch event) and queues its new failures. */
  handlePod(pod: PodInfo): void {
    this.trackRunningAgents(pod);
    for (const run of failedRuns(pod, this.o.containers, this.o.agents)) {
      if (this.seen.has(run.key)) continue;
      this.seen.add(run.key);
      if (this.seen.size > 10_000) this.seen.delete(this.seen.values().next().value as string);
      if (this.queue.length >= this.o.maxQueued) {
        this.stats.droppedFailures += 1;
        continue;
      }
      this.queue.push(run);
    }
    this.kick();
  }

  /** A pod that is gone: its agents are no longer read. */
  forgetPod(pod: PodInfo): void {
    for (const slot of [...this.runningAgents.keys()]) if (slot.startsWith(`${pod.uid}/`)) this.runningAgents.delete(slot);
  }

  /** Queues a read of the current log of every running agent on the node (the interval calls this). */
  pollAgentLogs(): void {
    for (const [slot, { pod, status }] of this.runningAgents) {
      const key = `${slot}/current`;
      if (this.queue.some((r) => r.key === key)) continue;
      if (this.queue.length >= this.o.maxQueued) {
        this.stats.droppedFailures += 1;
        continue;
      }
      this.queue.push({ key, pod, status, attempt: status.restartCount, previous: false, agent: true, current: true });
    }
    this.kick();
  }

  private trackRunningAgents(pod: PodInfo): void {
    for (const st of pod.containerStatuses ?? []) {
      if (!meshAgentOf(pod.name, st.name, this.o.agents)) continue;
      const slot = `${pod.uid}/${st.name}`;
      if (st.state.running) this.runningAgents.set(slot, { pod, status: st });
      else this.runningAgents.delete(slot);
    }
  }

  private kick(): void {
    if (this.queue.length && !this.draining) {
      this.draining = this.drain().finally(() => (this.draining = undefined));
    }
  }

  private async drain(): Promise<void> {
    for (let run = this.queue.shift(); run; run = this.queue.shift()) {
      try {
        await this.process(run);
      } catch (err) {
        this.o.log?.(`init container ${run.key}: ${(err as Error).message}`);
      }
    }
  }

  private async process(run: FailedRun): Promise<void> {
    const wait = this.lastFetch + this.o.logMinIntervalMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.lastFetch = Date.now();
    const { pod, status } = run;
    let logText = '';
    let logNote: string | undefined;
    try {
      this.stats.logFetches += 1;
      logText = await this.o.api.readPodLog({
        namespace: pod.namespace,
        pod: pod.name,
        container: status.name,
        previous: run.previous,
        tailLines: this.o.logTailLines,
        limitBytes: this.o.logLimitBytes,
      });
    } catch (err) {
      this.stats.logErrors += 1;
      logNote = `log not available: ${(err as Error).message}`;
    }
    const ctx = {
      container: status.name,
      podLabels: pod.labels,
      namespace: pod.namespace,
      pod: pod.name,
      ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
      ...(run.reason ? { reason: run.reason } : {}),
    };
    const slot = `${pod.uid}/${status.name}`;
    const found = await this.o.classify(logText, ctx);
    if (run.current && (logNote !== undefined || !found || found.category === 'unknown')) {
      // A clean (or unreadable) current log: nothing to report; a finding from an earlier read is over.
      if (logNote === undefined && this.currentSlots.delete(slot)) this.latest.delete(slot);
      return;
    }
    const classified = found ?? this.unclassified(run, logText, logNote);
    const finding: InitContainerFinding = {
      namespace: pod.namespace,
      pod: pod.name,
      podUid: pod.uid,
      container: status.name,
      restartCount: status.restartCount,
      observedAt: this.o.now().toISOString(),
      source: 'watch',
      ...classified,
    };
    const before = this.latest.get(slot);
    this.latest.delete(slot);
    this.latest.set(slot, finding);
    if (run.current) this.currentSlots.add(slot);
    else this.currentSlots.delete(slot);
    while (this.latest.size > this.o.maxFindings) this.latest.delete(this.latest.keys().next().value as string);
    this.stats.findings += 1;
    this.o.onFinding?.(finding);
    // A running agent's log is read again and again: one Event per distinct failure, not per read.
    const repeated = run.current && before?.matchedLine === finding.matchedLine;
    if (this.o.recordEvents && !repeated) await this.recordEvent(run, finding);
  }

  private unclassified(run: FailedRun, logText: string, note: string | undefined): ClassifiedFailure {
    const lines = logText.split('\n').filter((l) => l.trim() !== '');
    const exit = run.exitCode !== undefined ? `exit code ${run.exitCode}` : (run.reason ?? 'failed');
    return {
      category: 'unrecognized',
      nodeProblem: false,
      modules: [],
      matchedLine: note ?? oneLine(lines[lines.length - 1] ?? '', 500),
      explanation: `${run.status.name} failed (${exit}); no known signature matched its log`,
      remediation: [`kubectl logs -n ${run.pod.namespace} ${run.pod.name} -c ${run.status.name}${run.previous ? ' --previous' : ''}`],
    };
  }

  private async recordEvent(run: FailedRun, f: InitContainerFinding): Promise<void> {
    const exit = run.exitCode !== undefined ? ` (exit ${run.exitCode})` : '';
    const fix = f.remediation[0] ? ` Fix: ${f.remediation[0]}` : '';
    const what = run.current ? `${f.container} logs a failure` : `${f.container} failed${exit}`;
    try {
      await this.o.api.createEvent({
        namespace: f.namespace,
        involvedObject: {
          kind: 'Pod',
          apiVersion: 'v1',
          name: f.pod,
          namespace: f.namespace,
          uid: run.pod.uid,
          fieldPath: run.agent ? `spec.containers{${f.container}}` : `spec.initContainers{${f.container}}`,
        },
        type: 'Warning',
        reason: run.agent ? AGENT_EVENT_REASON : EVENT_REASON,
        message: oneLine(`${what}: ${f.explanation}.${fix}`.replace(/\.\./g, '.'), 1024),
        component: this.o.component,
        host: this.o.nodeName,
      });
      this.stats.events += 1;
    } catch (err) {
      this.stats.eventErrors += 1;
      this.o.log?.(`event for ${f.namespace}/${f.pod}: ${(err as Error).message}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    let delay = this.o.reconnectDelayMs;
    const backoff = async () => {
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.o.maxReconnectDelayMs);
    };
    while (!this.stopped) {
      try {
        const list = await this.o.api.listPodsOnNode(this.o.nodeName);
        this.stats.lists += 1;
        for (const pod of list.items) this.handlePod(pod);
        this.resourceVersion = list.resourceVersion;
        this.syncedResolve();
      } catch (err) {
        this.o.log?.(`list pods on ${this.o.nodeName}: ${(err as Error).message}`);
        await backoff();
        continue;
      }
      while (!this.stopped) {
        const r = await this.watchOnce();
        if (r.progressed) delay = this.o.reconnectDelayMs;
        if (r.gone) {
          this.stats.relistsAfterGone += 1;
          break;
        }
        if (r.error) {
          this.stats.watchErrors += 1;
          this.o.log?.(`watch pods on ${this.o.nodeName}: ${r.error.message}`);
        }
        // A clean server-side timeout with progress re-watches at once; anything else backs off.
        if (r.error || !r.progressed) await backoff();
      }
    }
  }

  private async watchOnce(): Promise<{ gone: boolean; progressed: boolean; error?: Error }> {
    let gone = false;
    let progressed = false;
    let eventError: Error | undefined;
    let handle: WatchHandle;
    try {
      this.stats.watches += 1;
      handle = await this.o.api.watchPodsOnNode(this.o.nodeName, this.resourceVersion, (e) => {
        if (e.type === 'ERROR') {
          if (e.error.code === 410) gone = true;
          else eventError = e.error;
          this.handle?.stop();
          return;
        }
        progressed = true;
        if (e.type === 'BOOKMARK') {
          this.resourceVersion = e.resourceVersion;
          return;
        }
        if (e.pod.resourceVersion) this.resourceVersion = e.pod.resourceVersion;
        if (e.type !== 'DELETED') this.handlePod(e.pod);
        else this.forgetPod(e.pod);
      });
    } catch (err) {
      const e = err as KubeApiError;
      return { gone: e instanceof KubeApiError && e.code === 410, progressed: false, error: e };
    }
    this.handle = handle;
    if (this.stopped) handle.stop();
    const end = await handle.done;
    this.handle = undefined;
    if (end.error instanceof KubeApiError && end.error.code === 410) gone = true;
    const error = gone ? undefined : (eventError ?? end.error);
    return { gone, progressed, ...(error ? { error } : {}) };
  }
}
