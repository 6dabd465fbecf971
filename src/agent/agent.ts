/**
 * The agent (what runs in the DaemonSet): checks the node at start, every interval (± jitter) and on
 * demand; serves the latest report over HTTP; publishes labels, annotation and the MeshPreflightReady
 * condition when Kubernetes is configured (Unknown until the first check has finished); watches this
 * node's mesh init containers; optionally applies fixes. It keeps serving its last good report when the
 * API server, a binary or a file misbehaves.
 */
import type { FastifyInstance } from 'fastify';
import { createMetrics, type PreflightMetrics } from '../api/metrics.ts';
import { buildServer } from '../api/server.ts';
import type { RecheckAuthorizer } from '../api/types.ts';
import type { CheckOptions } from '../core/options.ts';
import type { InitContainerFinding, Report, RuleBackend } from '../core/report.ts';
import { checkNode, type CheckNodeDeps } from '../core/check-node.ts';
import type { Exec } from '../host/exec.ts';
import { HostRoot } from '../host/root.ts';
import { readOsInfo } from '../host/os-family.ts';
import type { KubeNodeApi } from '../kube/client.ts';
import { writeNfdFeatureFile } from '../kube/nfd-features.ts';
import { InitContainerWatcher, type ClassifyFn } from '../kube/pod-watch.ts';
import { NodePublisher } from '../kube/publisher.ts';
import { applyForAgent, type AgentFixMode } from '../cli/commands/fix.ts';
import { knownModuleNames } from '../../checks/kernel-data/module-history.ts';
import { kubeNodeDirectory } from './node-directory.ts';
import { ReportRunner } from './report-runner.ts';
import { every, type Ticker } from './schedule.ts';
import { checkOptionsFor } from './mesh-options.ts';
import type { MeshFromClusterSettings } from '../meshconfig/read.ts';

export type RecheckAuth = 'tokenreview' | 'off' | 'none';

export interface AgentSettings {
  options: CheckOptions;
  nodeName: string;
  listen: { host: string; port: number };
  intervalMs: number;
  /** Fraction of the interval to spread runs by (0.1 → ±10%). */
  jitter: number;
  labelPrefix: string;
  heartbeatMinutes: number;
  fix: AgentFixMode;
  recheckAuth: RecheckAuth;
  recheckMinIntervalMs?: number;
  nfdFeaturesDir?: string;
  /** How long GET /v1/nodes may serve a cached node list. */
  nodesCacheMs?: number;
  /** Check options given on the command line; they win over the cluster's and are reported as 'flag'. */
  explicitOptions?: string[];
  /** --mesh-from-cluster: read the mesh's ConfigMaps before every check. */
  meshFromCluster?: MeshFromClusterSettings;
}

export interface AgentDeps {
  /** The API server; undefined runs the agent without Kubernetes (API only). */
  kube?: KubeNodeApi;
  exec?: Exec;
  /** Replaces the node check (tests). */
  check?: (options: CheckOptions, deps: CheckNodeDeps) => Promise<Report>;
  log?: (line: string) => void;
  publisherRetryDelayMs?: { min: number; max: number; catchUp: number };
}

export interface RunningAgent {
  url: string;
  server: FastifyInstance;
  runner: ReportRunner;
  metrics: PreflightMetrics;
  publisher?: NodePublisher;
  watcher?: InitContainerWatcher;
  /** Runs the checks now (as the interval would). */
  runNow(): Promise<Report>;
  /** Stop accepting, finish in-flight work, release everything. */
  stop(): Promise<void>;
}

export async function startAgent(settings: AgentSettings, deps: AgentDeps = {}): Promise<RunningAgent> {
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const options = { ...settings.options, nodeName: settings.nodeName };
  const metrics = createMetrics();
  const kube = deps.kube;
  const check = deps.check ?? checkNode;

  const publisher = kube
    ? new NodePublisher(kube, {
        nodeName: settings.nodeName,
        prefix: settings.labelPrefix,
        heartbeatMinutes: settings.heartbeatMinutes,
        ...(deps.publisherRetryDelayMs
          ? {
              minRetryDelayMs: deps.publisherRetryDelayMs.min,
              maxRetryDelayMs: deps.publisherRetryDelayMs.max,
              catchUpIntervalMs: deps.publisherRetryDelayMs.catchUp,
            }
          : {}),
        log,
      })
    : undefined;

  let latestBackend: RuleBackend | undefined;
  const classify: ClassifyFn = async (text, ctx) => {
    // The classifier and its catalogue load with the first failed init container, not at start.
    const { classifyLog, findingFields } = await import('../diagnose/classify.ts');
    const result = classifyLog(text, {
      backend: latestBackend,
      exitCode: ctx.exitCode,
      podLabels: ctx.podLabels,
      container: ctx.container,
    });
    const fields = findingFields(result);
    return { ...fields, matchedLine: fields.matchedLine || (ctx.reason ? `${ctx.container}: ${ctx.reason}` : `${ctx.container} failed`) };
  };
  const watcher = kube
    ? new InitContainerWatcher({
        api: kube,
        nodeName: settings.nodeName,
        classify,
        containers: [...new Set(['istio-init', 'istio-validation', 'linkerd-init', ...options.initContainers])],
        log,
      })
    : undefined;

  const host = new HostRoot(options.hostRoot);
  const fixActions: NonNullable<Report['fixes']> = [];
  const optionsNow = checkOptionsFor(settings, options, kube, log);
  const runCheck = async (): Promise<Report> => {
    const observed = { initContainers: (): InitContainerFinding[] => watcher?.findings() ?? [] };
    // With --mesh-from-cluster a failed read throws: the runner keeps serving the last good report.
    const options = await optionsNow();
    let report = await check(options, { exec: deps.exec, observed });
    if (settings.fix !== 'off') {
      const { actions } = await applyForAgent(report, settings.fix, {
        exec: deps.exec ?? (await import('../host/exec.ts')).realExec,
        host,
        allowedModules: knownModuleNames(),
        os: await readOsInfo(host),
      });
      if (actions.length > 0) {
        fixActions.push(...actions);
        await recordFixEvent(kube, settings.nodeName, actions, log);
        report = await check(options, { exec: deps.exec, observed });
      }
    }
    return { ...report, fixes: fixActions.slice(-50) };
  };

  const runner = new ReportRunner(runCheck);
  runner.onReport(({ report, durationSeconds }) => {
    latestBackend = report.iptables?.meshBackend;
    metrics.updateFromReport(report, durationSeconds);
  });
  if (publisher) {
    runner.onReport(async ({ report }) => {
      const result = await publisher.publish(report);
      if (!result.ok) log(`mesh-preflight: node ${settings.nodeName} not updated yet (${result.error ?? 'unknown error'}); will retry`);
    });
  }
  if (settings.nfdFeaturesDir) {
    const dir = settings.nfdFeaturesDir;
    runner.onReport(async ({ report }) => {
      try {
        await writeNfdFeatureFile(host, dir, report);
      } catch (error) {
        log(`mesh-preflight: NFD feature file not written: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
      }
    });
  }

  const authorizer = recheckAuthorizer(settings.recheckAuth, kube);
  const server = buildServer({
    reports: { latest: () => runner.latest(), recheck: async () => (await runner.run()).report },
    nodes: kube ? kubeNodeDirectory(kube, settings.labelPrefix, settings.nodesCacheMs !== undefined ? { minTtlMs: settings.nodesCacheMs } : {}) : undefined,
    metrics,
    recheck: {
      enabled: settings.recheckAuth !== 'off' && !(settings.recheckAuth === 'tokenreview' && !kube),
      ...(settings.recheckMinIntervalMs !== undefined ? { minIntervalMs: settings.recheckMinIntervalMs } : {}),
      ...(authorizer ? { authorizer } : {}),
    },
  });
  const url = await server.listen({ host: settings.listen.host, port: settings.listen.port });
  log(`mesh-preflight agent: node ${settings.nodeName}, serving ${url}, Kubernetes ${kube ? 'configured' : 'not configured (API only)'}`);

  // Never report a node ready before it was checked: the condition starts Unknown.
  if (publisher) {
    publisher.publish(undefined).catch(() => undefined);
    // Count failed writes for /metrics without coupling the publisher to prom-client.
    let seenErrors = 0;
    runner.onReport(() => {
      for (; seenErrors < publisher.counters.writeErrors; seenErrors += 1) metrics.onKubeWriteError();
    });
  }
  watcher?.start();

  const first = runner.run().catch((error: unknown) => {
    log(`mesh-preflight: first check failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  let ticker: Ticker | undefined = every(settings.intervalMs, settings.jitter, () => runner.run());

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ticker?.stop();
      ticker = undefined;
      await server.close();
      await first;
      if (runner.busy()) await runner.run().catch(() => undefined);
      publisher?.stop();
      await watcher?.stop();
    })();
    return stopping;
  };

  return {
    url,
    server,
    runner,
    metrics,
    ...(publisher ? { publisher } : {}),
    ...(watcher ? { watcher } : {}),
    runNow: async () => (await runner.run()).report,
    stop,
  };
}

/** `tokenreview`: a Bearer token authenticated by the API server's TokenReview; `none`: anyone. */
function recheckAuthorizer(mode: RecheckAuth, kube: KubeNodeApi | undefined): RecheckAuthorizer | undefined {
  if (mode !== 'tokenreview' || !kube) return undefined;
  return async (header) => {
    const token = header?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return { allowed: false, reason: 'a bearer token is required' };
    const review = await kube.createTokenReview(token);
    if (!review.authenticated) return { allowed: false, reason: review.error ?? 'token not authenticated' };
    return { allowed: true };
  };
}

async function recordFixEvent(
  kube: KubeNodeApi | undefined,
  nodeName: string,
  actions: NonNullable<Report['fixes']>,
  log: (line: string) => void,
): Promise<void> {
  if (!kube) return;
  const ok = actions.filter((a) => a.ok);
  const failed = actions.filter((a) => !a.ok);
  const message = [
    ok.length > 0 ? `applied: ${ok.map((a) => `${a.kind} ${a.target}`).join(', ')}` : '',
    failed.length > 0 ? `failed: ${failed.map((a) => `${a.kind} ${a.target} (${a.message})`).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ')
    .slice(0, 1000);
  try {
    await kube.createEvent({
      namespace: 'default',
      involvedObject: { kind: 'Node', name: nodeName, apiVersion: 'v1' },
      type: failed.length > 0 ? 'Warning' : 'Normal',
      reason: failed.length > 0 ? 'MeshPreflightFixFailed' : 'MeshPreflightFixApplied',
      message,
      component: 'mesh-preflight',
      host: nodeName,
    });
  } catch (error) {
    log(`mesh-preflight: could not record the fix event: ${error instanceof Error ? error.message : String(error)}`);
  }
}
