/**
 * `kubectl mesh-preflight diagnose POD [-n NS] [-c CONTAINER]`: from the pod (one GET) find the failed
 * mesh container — an init container that exited non-zero or sits in CrashLoopBackOff, mesh ones
 * first — read its last log through the API (`previous=true` when it has restarted since, bounded by
 * tailLines/limitBytes) and its exit code, classify the log with the diagnose engine, and join the
 * diagnosis with what the pod's node published (report annotation, backend label).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { DEFAULT_INIT_CONTAINERS } from '../../core/options.ts';
import { ExitError, UsageError } from '../../core/errors.ts';
import { classifyLog } from '../../diagnose/classify.ts';
import { joinWithPublished } from '../../diagnose/join-published.ts';
import { criLogText, looksLikeCriLog, parseCriLog } from '../../host/parse/cri-log.ts';
import { parseNode } from '../../kube/client.ts';
import { nodeReadiness } from '../../kube/cluster-view.ts';
import { LeanReader } from '../../kube/lean-read.ts';
import { isNodeName } from '../../dashboard/rows.ts';
import { toJson, toTable } from '../commands/diagnose.ts';

/** Mesh init containers tried first when no -c is given. */
export const MESH_CONTAINERS = [...DEFAULT_INIT_CONTAINERS, 'linkerd-network-validator', 'kuma-init', 'consul-connect-inject-init', 'install-cni'];
/** Bounds of the log read (the failure is at its end). */
export const LOG_TAIL_LINES = 2000;
export const LOG_LIMIT_BYTES = 1024 * 1024;

const Terminated = z.object({ exitCode: z.number().int(), reason: z.string().optional() });
const State = z
  .object({ waiting: z.object({ reason: z.string().optional() }).nullish(), terminated: Terminated.nullish(), running: z.object({}).passthrough().nullish() })
  .nullish();
const ContainerStatus = z.object({ name: z.string(), restartCount: z.number().int().default(0), state: State, lastState: State });
const PodSchema = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string(), labels: z.record(z.string(), z.string()).nullish() }),
  spec: z.object({ nodeName: z.string().optional(), initContainers: z.array(z.object({ name: z.string() })).nullish(), containers: z.array(z.object({ name: z.string() })) }),
  status: z.object({ initContainerStatuses: z.array(ContainerStatus).nullish(), containerStatuses: z.array(ContainerStatus).nullish() }).nullish(),
});
type Status = z.infer<typeof ContainerStatus>;

export interface DiagnosePodOptions {
  namespace: string;
  container?: string;
  output: 'table' | 'json';
  prefix?: string;
}

/** The container to diagnose and which of its runs failed. */
export interface Target {
  container: string;
  exitCode?: number;
  /** Read the previous run's log (the container restarted after failing). */
  previous: boolean;
  restartCount: number;
  reason?: string;
}

function failedRun(s: Status): Omit<Target, 'container'> | undefined {
  const now = s.state?.terminated;
  if (now && now.exitCode !== 0) return { exitCode: now.exitCode, previous: false, restartCount: s.restartCount, ...(now.reason ? { reason: now.reason } : {}) };
  const last = s.lastState?.terminated;
  if (last && last.exitCode !== 0) {
    const waiting = s.state?.waiting?.reason;
    return { exitCode: last.exitCode, previous: true, restartCount: s.restartCount, ...(waiting ? { reason: waiting } : last.reason ? { reason: last.reason } : {}) };
  }
  return undefined;
}

/** Picks the container: `-c` if given, else the failed mesh init container, else any failed init container, else any failed container. */
export function pickTarget(pod: z.infer<typeof PodSchema>, wanted?: string): Target {
  const init = pod.status?.initContainerStatuses ?? [];
  const main = pod.status?.containerStatuses ?? [];
  const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
  if (wanted !== undefined) {
    if (!names.includes(wanted)) throw new UsageError(`-c ${wanted}: pod ${pod.metadata.namespace}/${pod.metadata.name} has no such container; it has: ${names.join(', ')}`);
    const status = [...init, ...main].find((s) => s.name === wanted);
    const run = status ? failedRun(status) : undefined;
    if (run) return { container: wanted, ...run };
    // Not failed (or never ran): read what it wrote, with its exit code if it has one.
    const code = status?.state?.terminated?.exitCode;
    return { container: wanted, previous: false, restartCount: status?.restartCount ?? 0, ...(code !== undefined ? { exitCode: code } : {}) };
  }
  const failed = (list: Status[]) => list.map((s) => ({ s, run: failedRun(s) })).filter((x) => x.run !== undefined);
  const candidates = [
    ...failed(init).filter((x) => MESH_CONTAINERS.includes(x.s.name)),
    ...failed(init),
    ...failed(main).filter((x) => MESH_CONTAINERS.includes(x.s.name)),
    ...failed(main),
  ];
  const first = candidates[0];
  if (!first) {
    throw new ExitError(1, `pod ${pod.metadata.namespace}/${pod.metadata.name} has no failed container (containers: ${names.join(', ')}); give -c NAME to diagnose one anyway`);
  }
  return { container: first.s.name, ...first.run! };
}

export async function runDiagnosePod(kc: KubeConfig, podName: string, opts: DiagnosePodOptions, out: (text: string) => void, err: (text: string) => void): Promise<void> {
  if (!isNodeName(podName)) throw new UsageError(`invalid pod name ${JSON.stringify(podName)}: expected a DNS subdomain`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.namespace) || opts.namespace.length > 63) {
    throw new UsageError(`invalid namespace ${JSON.stringify(opts.namespace)}: expected a DNS label`);
  }
  const reader = new LeanReader(kc);
  const base = `/api/v1/namespaces/${opts.namespace}/pods/${podName}`;
  const raw = await reader.getObject(base, { cached: false });
  if (raw === undefined) throw new ExitError(1, `pod ${opts.namespace}/${podName} not found`);
  const parsed = PodSchema.safeParse(raw);
  if (!parsed.success) throw new ExitError(1, `pod ${opts.namespace}/${podName}: unexpected object from the API server (${parsed.error.issues[0]?.message})`);
  const pod = parsed.data;
  const target = pickTarget(pod, opts.container);

  const query: Record<string, string> = { container: target.container, tailLines: String(LOG_TAIL_LINES), limitBytes: String(LOG_LIMIT_BYTES) };
  if (target.previous) query['previous'] = 'true';
  const text = await reader.getText(`${base}/log`, query);
  const body = looksLikeCriLog(text) ? criLogText(parseCriLog(text)) : text;

  // The node: what its agent published (a selected read of one node).
  const nodeName = pod.spec.nodeName;
  let published: ReturnType<typeof nodeReadiness> | undefined;
  let nodeError: string | undefined;
  if (nodeName) {
    try {
      const node = await reader.getObject(`/api/v1/nodes/${encodeURIComponent(nodeName)}`);
      if (node !== undefined) published = nodeReadiness(parseNode(node), opts.prefix);
      else nodeError = `node ${nodeName} not found`;
    } catch (error) {
      nodeError = `node ${nodeName} unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const backend = published?.backend === 'nft' || published?.backend === 'legacy' ? published.backend : undefined;
  const result = classifyLog(body, {
    container: target.container,
    ...(target.exitCode !== undefined ? { exitCode: target.exitCode } : {}),
    ...(pod.metadata.labels ? { podLabels: pod.metadata.labels } : {}),
    ...(backend ? { backend } : {}),
  });
  const join = published
    ? joinWithPublished(result, {
        name: published.name,
        ...(published.backend ? { backend: published.backend } : {}),
        ...(published.summary
          ? { summary: { verdict: published.summary.verdict, failing: published.summary.failing, warning: published.summary.warning, missing: published.summary.missingModules, ...(published.summary.truncated ? { truncated: true } : {}) } }
          : {}),
      })
    : undefined;

  const where = `pod ${opts.namespace}/${podName}, container ${target.container}${nodeName ? ` on node ${nodeName}` : ''}`;
  const run = `${target.exitCode !== undefined ? `exit code ${target.exitCode}` : 'no exit code'}${target.reason ? ` (${target.reason})` : ''}, ${target.restartCount} restart${target.restartCount === 1 ? '' : 's'}; log: ${target.previous ? 'previous run' : 'current run'}, ${text.split('\n').filter(Boolean).length} lines`;
  if (opts.output === 'json') {
    const diagnosis = JSON.parse(toJson(result, join)) as Record<string, unknown>;
    out(`${JSON.stringify({ pod: { namespace: opts.namespace, name: podName, node: nodeName ?? null }, container: target, ...diagnosis }, null, 2)}\n`);
    if (nodeError) err(`kubectl-mesh_preflight: ${nodeError}\n`);
    return;
  }
  const lines = [`${where}: ${run}`, '', toTable(result, undefined, undefined).trimEnd()];
  if (join) {
    lines.push('', `On node ${published!.name} (its published report):`);
    for (const l of join.lines) lines.push(`  - ${l}`);
  } else if (nodeError) {
    lines.push('', nodeError);
  }
  out(lines.join('\n') + '\n');
}
