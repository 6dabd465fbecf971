/** `mesh-preflight agent`: flags and environment validated with zod, then the agent or its cleanup. */
import { z } from 'zod';
import type { CheckOptions } from '../../core/options.ts';
import { UsageError } from '../../core/errors.ts';
import { parseDuration } from '../../agent/schedule.ts';
import type { AgentSettings } from '../../agent/agent.ts';
import { DEFAULT_MESH_NAMESPACES } from '../../meshconfig/read.ts';

const LISTEN = /^(?<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+|\*):(?<port>\d{1,5})$/;

const AgentFlagsSchema = z.object({
  listen: z.string(),
  interval: z.string(),
  kubeconfig: z.string().min(1).optional(),
  labelPrefix: z.string(),
  heartbeat: z.string(),
  fix: z.enum(['off', 'now', 'persist', 'both']),
  recheckAuth: z.enum(['tokenreview', 'off', 'none']),
  nfdFeaturesDir: z.string().min(1).optional(),
  cleanup: z.boolean(),
  meshFromCluster: z.boolean().default(false),
  meshNamespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a namespace name').max(63).optional(),
});

export interface AgentCommand {
  settings: AgentSettings;
  kubeconfig?: string;
  cleanup: boolean;
}

/**
 * Validates the agent's own flags (the check flags are parsed separately); one-line UsageErrors.
 * explicit: the check options given on the command line (they win over --mesh-from-cluster).
 */
export function parseAgentFlags(raw: Record<string, unknown>, options: CheckOptions, hostname: string, explicit: readonly string[] = []): AgentCommand {
  const parsed = AgentFlagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`invalid --${kebab(String(issue.path[0] ?? ''))}: ${issue.message}`);
  }
  const flags = parsed.data;
  if (flags.meshNamespace && !flags.meshFromCluster) throw new UsageError(`invalid --mesh-namespace ${flags.meshNamespace}: only used with --mesh-from-cluster`);
  const listen = LISTEN.exec(flags.listen);
  const port = Number(listen?.groups?.['port']);
  if (!listen || !(port >= 0 && port <= 65535)) {
    throw new UsageError(`invalid --listen ${flags.listen}: expected HOST:PORT (e.g. 0.0.0.0:9808)`);
  }
  const rawHost = listen.groups!['host']!;
  const host = rawHost === '*' ? '0.0.0.0' : rawHost.replace(/^\[(.*)\]$/, '$1');
  const intervalMs = parseDuration(flags.interval);
  if (intervalMs === undefined || intervalMs < 100) {
    throw new UsageError(`invalid --interval ${flags.interval}: expected a duration of at least 100ms (e.g. 10m, 30s)`);
  }
  const heartbeatMs = parseDuration(flags.heartbeat);
  if (heartbeatMs === undefined || heartbeatMs < 60_000) {
    throw new UsageError(`invalid --heartbeat ${flags.heartbeat}: expected a duration of at least 1m (e.g. 60m)`);
  }
  if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/$/.test(flags.labelPrefix) || flags.labelPrefix.length > 254) {
    throw new UsageError(`invalid --label-prefix ${flags.labelPrefix}: expected a DNS subdomain followed by / (e.g. mesh-preflight.io/)`);
  }
  const nodeName = options.nodeName ?? hostname;
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(nodeName) || nodeName.length > 253) {
    throw new UsageError(`invalid node name ${nodeName}: expected a DNS subdomain (set --node-name or NODE_NAME)`);
  }
  return {
    kubeconfig: flags.kubeconfig,
    cleanup: flags.cleanup,
    settings: {
      options,
      nodeName,
      listen: { host, port },
      intervalMs,
      jitter: 0.1,
      labelPrefix: flags.labelPrefix,
      heartbeatMinutes: heartbeatMs / 60_000,
      fix: flags.fix,
      recheckAuth: flags.recheckAuth,
      ...(flags.nfdFeaturesDir ? { nfdFeaturesDir: flags.nfdFeaturesDir } : {}),
      explicitOptions: [...explicit],
      ...(flags.meshFromCluster
        ? {
            meshFromCluster: {
              ...(explicit.includes('mesh') ? { mesh: options.mesh } : {}),
              istioNamespace: flags.meshNamespace ?? DEFAULT_MESH_NAMESPACES.istio,
              linkerdNamespace: flags.meshNamespace ?? DEFAULT_MESH_NAMESPACES.linkerd,
            },
          }
        : {}),
    },
  };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
