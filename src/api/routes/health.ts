/**
 * Liveness and readiness: `/healthz` answers as long as the process serves HTTP; `/readyz` only once
 * the first report exists, so the DaemonSet pod turns Ready when it has something to say.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ReportSource } from '../types.ts';
import { sendError } from '../errors.ts';

/** Options of the health routes. */
export interface HealthRoutesOptions {
  reports: ReportSource;
}

/** `GET /healthz`, `GET /readyz`. */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { reports }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const report = reports.latest();
    if (report === undefined) return sendError(reply, 503, 'no-report', 'the first check run has not finished yet');
    return { status: 'ready', generatedAt: report.generatedAt, verdict: report.verdict };
  });
};
