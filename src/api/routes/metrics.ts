/**
 * `GET /metrics` in the Prometheus text format. Before serving, the gauges are brought up to the
 * latest report, so a scrape never shows an older state than `/v1/report` even if the agent has not
 * pushed the new report to the metrics yet.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ReportSource } from '../types.ts';
import type { PreflightMetrics } from '../metrics.ts';

/** Options of the metrics route. */
export interface MetricsRoutesOptions {
  reports: ReportSource;
  metrics: PreflightMetrics;
}

/** `GET /metrics`. */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { reports, metrics }) => {
  app.get('/metrics', async (_request, reply) => {
    const latest = reports.latest();
    if (latest !== undefined && latest !== metrics.lastReport) metrics.updateFromReport(latest);
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
};
