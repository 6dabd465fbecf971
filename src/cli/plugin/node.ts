/**
 * `kubectl mesh-preflight node NAME`: one node's published report, rendered like `check`'s table:
 * the MeshPreflightReady condition (message, heartbeat), the labels, and the report annotation
 * (verdict, failing and warning checks, missing modules, when it was checked). The annotation is a
 * summary: evidence and remediation of each check live in the full report on the node's agent, and
 * the output says where.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { createColors } from 'picocolors';
import { parseNode } from '../../kube/client.ts';
import { nodeReadiness } from '../../kube/cluster-view.ts';
import { LeanReader } from '../../kube/lean-read.ts';
import { toApiReadiness } from '../../agent/node-directory.ts';
import { rowFromReadiness } from '../../dashboard/rows.ts';
import { ExitError, UsageError } from '../../core/errors.ts';
import { isNodeName } from '../../dashboard/rows.ts';
import { age } from './table.ts';

export interface NodeOptions {
  output: 'table' | 'json';
  color: boolean;
  prefix?: string;
}

/** Reads node `name` whole (one GET, from the API server's cache) and renders what its agent published. */
export async function runNode(kc: KubeConfig, name: string, opts: NodeOptions, out: (text: string) => void, now: () => number = Date.now): Promise<void> {
  if (!isNodeName(name)) throw new UsageError(`invalid node name ${JSON.stringify(name)}: expected a DNS subdomain (lower-case letters, digits, '-' and '.')`);
  const raw = await new LeanReader(kc).getObject(`/api/v1/nodes/${encodeURIComponent(name)}`);
  if (raw === undefined) throw new ExitError(1, `node ${name} not found`);
  const node = parseNode(raw);
  const readiness = nodeReadiness(node, opts.prefix);
  const api = toApiReadiness(readiness);
  const row = rowFromReadiness(api);
  if (opts.output === 'json') {
    out(
      `${JSON.stringify(
        {
          name,
          readiness: row.status,
          labels: { ready: readiness.ready ?? null, backend: readiness.backend ?? null, mesh: readiness.mesh ?? null },
          condition: readiness.condition ?? null,
          summary: readiness.summary ?? null,
          ...(readiness.note ? { note: readiness.note } : {}),
          fullReport: `served by the mesh-preflight agent on ${name}: GET /v1/report on port 9808`,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  out(renderNode(name, readiness, row.status, opts.color, now()));
}

type Readiness = ReturnType<typeof nodeReadiness>;

/** The table, check-style. */
export function renderNode(name: string, r: Readiness, status: ReturnType<typeof rowFromReadiness>['status'], color: boolean, now: number): string {
  const c = createColors(color);
  const lines: string[] = [];
  const mesh = r.summary?.mesh ?? r.mesh ?? 'unknown mesh';
  const backend = r.summary?.backend ?? r.backend;
  lines.push(c.bold(`mesh-preflight · node ${name} · ${mesh}${backend ? ` · node rules: ${backend}` : ''} · published by the node's agent`));
  if (r.condition) {
    const beat = r.condition.lastHeartbeatTime ? `, heartbeat ${r.condition.lastHeartbeatTime} (${age(r.condition.lastHeartbeatTime, now)} ago)` : '';
    lines.push(`condition MeshPreflightReady=${r.condition.status} ${r.condition.reason ?? ''}${beat}`);
    if (r.condition.message) lines.push(`  ${r.condition.message}`);
  } else {
    lines.push('condition MeshPreflightReady: not set (no agent has run on this node)');
  }
  if (r.note) lines.push(c.yellow(r.note));
  const s = r.summary;
  if (s === undefined) {
    lines.push('', `No report published on ${name}: the mesh-preflight agent has not checked this node yet.`, '', c.dim('Verdict: NEVER CHECKED'));
    return lines.join('\n') + '\n';
  }
  lines.push('');
  const ids = [...s.failing.map((id) => ['FAIL', id] as const), ...s.warning.map((id) => ['WARN', id] as const)];
  if (ids.length > 0) {
    lines.push(c.dim(`${'STATUS'.padEnd(7)} CHECK`));
    for (const [st, id] of ids) lines.push(`${(st === 'FAIL' ? c.red : c.yellow)(st.padEnd(7))} ${id}`);
    lines.push(c.dim('(the published summary names only failing and warning checks; the others passed or were skipped)'));
  } else {
    lines.push('Every check passed or was skipped.');
  }
  lines.push('', `Missing kernel modules: ${s.missingModules.length ? s.missingModules.join(', ') : 'none'}${s.truncated ? ' (list truncated)' : ''}`);
  lines.push(`Checked: ${s.generatedAt} (${age(s.generatedAt, now)} ago; the time of the last report that changed this summary)`);
  lines.push('', 'Evidence, remediation and every module state are in the full report, served by the agent on the node:');
  lines.push(`  kubectl -n mesh-preflight get pods --field-selector spec.nodeName=${name} -o name`);
  lines.push('  kubectl -n mesh-preflight port-forward <that pod> 9808:9808 & curl -s localhost:9808/v1/report');
  const verdict =
    status === 'ready'
      ? c.green(c.bold(`Verdict: READY — ${mesh} can set up interception on ${name}`))
      : status === 'degraded'
        ? c.yellow(c.bold(`Verdict: DEGRADED — ${mesh} should work on ${name}, with warnings`))
        : status === 'not-ready'
          ? c.red(c.bold(`Verdict: NOT READY — ${mesh} cannot set up interception on ${name}`))
          : c.dim(`Verdict: NEVER CHECKED — the condition says the agent has not finished a check since it started`);
  lines.push('', verdict);
  return lines.join('\n') + '\n';
}
