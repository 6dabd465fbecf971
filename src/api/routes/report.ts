/**
 * The latest report, whole or one check. Validated by ReportSchema on the way out: a report that does
 * not match the contract is a bug to surface as a 500, not JSON to hand to a client. A report object is
 * never changed once the runner has it (each run makes a new one), so it is validated and serialised once
 * and that JSON is served until the next run: in V8's lite mode (the agent's) the parse per request was
 * most of a request's cost.
 */
import { z } from 'zod';
import type { FastifyPluginAsync } from 'fastify';
import { CheckResultSchema, ReportSchema } from '../../core/report.ts';
import type { ReportSource } from '../types.ts';
import { describeIssues, sendError } from '../errors.ts';

/** Options of the report routes. */
export interface ReportRoutesOptions {
  reports: ReportSource;
}

/** Path parameters of `/v1/report/checks/:id`: a kebab-case check id, as in CheckResultSchema. */
export const CheckIdParamsSchema = z.object({
  id: z.string().min(1).max(63).regex(/^[a-z][a-z0-9-]*$/, 'check ids are kebab-case: [a-z][a-z0-9-]*'),
});

const NO_REPORT = 'the first check run has not finished yet';

const servedJson = new WeakMap<object, string>();

/** The report as validated JSON, computed once per report object (throws, as ReportSchema.parse does). */
export function reportJson(report: object): string {
  let json = servedJson.get(report);
  if (json === undefined) {
    json = JSON.stringify(ReportSchema.parse(report));
    servedJson.set(report, json);
  }
  return json;
}

/** `GET /v1/report`, `GET /v1/report/checks/:id`. */
export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (app, { reports }) => {
  app.get('/v1/report', async (_request, reply) => {
    const report = reports.latest();
    if (report === undefined) return sendError(reply, 503, 'no-report', NO_REPORT);
    return reply.type('application/json; charset=utf-8').send(reportJson(report));
  });

  app.get('/v1/report/checks/:id', async (request, reply) => {
    const params = CheckIdParamsSchema.safeParse(request.params);
    if (!params.success) return sendError(reply, 400, 'bad-request', describeIssues(params.error));
    const report = reports.latest();
    if (report === undefined) return sendError(reply, 503, 'no-report', NO_REPORT);
    const check = report.checks.find((c) => c.id === params.data.id);
    if (check === undefined) {
      return sendError(reply, 404, 'not-found', `no check with id "${params.data.id}" in the latest report`);
    }
    return CheckResultSchema.parse(check);
  });
};
