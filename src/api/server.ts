/**
 * The agent's HTTP API. buildServer returns the fastify instance and never listens: the agent command
 * calls `listen`, tests call `inject` (fastify docs/Guides/Testing.md). One encapsulated plugin per
 * route group (docs/Reference/Plugins.md); the error and not-found handlers are set on the root before
 * the plugins are registered, so every group inherits them.
 */
import { LogController, fastify } from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiDeps } from './types.ts';
import { createMetrics } from './metrics.ts';
import { codeForClientStatus, sendError } from './errors.ts';
import { healthRoutes } from './routes/health.ts';
import { reportRoutes } from './routes/report.ts';
import { recheckRoutes } from './routes/recheck.ts';
import { nodesRoutes } from './routes/nodes.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { dashboardRoutes } from './routes/dashboard.ts';

/** Default minimum time between two rechecks. */
export const DEFAULT_RECHECK_INTERVAL_MS = 10_000;

/** Options of buildServer. */
export interface ServerOptions {
  /** Enable fastify's pino logger (per-request logging stays off: probes and scrapes are constant). */
  logger?: boolean;
}

// No route takes a real body; keep the parser from buffering much.
const BODY_LIMIT = 16 * 1024;

/** Builds the API server for `deps`; the caller decides when (and whether) to listen. */
export function buildServer(deps: ApiDeps, opts: ServerOptions = {}): FastifyInstance {
  const app = fastify({
    logger: opts.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
  });
  const metrics = deps.metrics ?? createMetrics();

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      // fastify's own client errors (bad JSON, body too large, ...): their messages carry no internals.
      return sendError(reply, status, codeForClientStatus(status), error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'internal', 'internal error; see the agent log');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    return sendError(reply, 404, 'not-found', `no route for ${request.method} ${path.slice(0, 200)}`);
  });

  app.register(healthRoutes, { reports: deps.reports });
  app.register(reportRoutes, { reports: deps.reports });
  app.register(recheckRoutes, {
    reports: deps.reports,
    enabled: deps.recheck?.enabled ?? true,
    minIntervalMs: deps.recheck?.minIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS,
    authorizer: deps.recheck?.authorizer,
    now: deps.now ?? Date.now,
  });
  app.register(nodesRoutes, { nodes: deps.nodes });
  app.register(metricsRoutes, { reports: deps.reports, metrics });
  app.register(dashboardRoutes, { reports: deps.reports, nodes: deps.nodes, now: deps.now ?? Date.now });
  return app;
}
