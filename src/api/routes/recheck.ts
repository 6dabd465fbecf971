/**
 * `POST /v1/recheck`: runs the checks now and returns the new report. Guarded, in this order: enabled,
 * authorised (when an authorizer is configured), one at a time, not too soon after the last run.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ReportSchema } from '../../core/report.ts';
import type { RecheckAuthorizer, ReportSource } from '../types.ts';
import { RecheckBusyError, RecheckTooSoonError } from '../types.ts';
import { RecheckGate } from '../recheck-gate.ts';
import { sendError } from '../errors.ts';

/** Options of the recheck route (defaults already applied by buildServer). */
export interface RecheckRoutesOptions {
  reports: ReportSource;
  enabled: boolean;
  minIntervalMs: number;
  authorizer?: RecheckAuthorizer;
  now: () => number;
}

// RFC 6750 §2.1: `Bearer` then a token; auth-scheme names are case-insensitive (RFC 9110 §11.1).
const BEARER = /^bearer +[A-Za-z0-9\-._~+/]+=*$/i;
const CHALLENGE = 'Bearer realm="mesh-preflight"';

function tooMany(reply: FastifyReply, retryAfterSeconds: number, message: string): FastifyReply {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return sendError(reply, 429, 'too-many-requests', message, { 'retry-after': String(seconds) });
}

/** `POST /v1/recheck`. */
export const recheckRoutes: FastifyPluginAsync<RecheckRoutesOptions> = async (app, options) => {
  const { reports, enabled, authorizer } = options;
  const gate = new RecheckGate(options.minIntervalMs, options.now);

  app.post('/v1/recheck', async (request, reply) => {
    if (!enabled) return sendError(reply, 403, 'recheck-disabled', 'rechecks are disabled on this agent');

    if (authorizer !== undefined) {
      const header = request.headers.authorization;
      if (header === undefined || !BEARER.test(header)) {
        return sendError(reply, 401, 'unauthorized', 'a bearer token is required: Authorization: Bearer <token>', {
          'www-authenticate': CHALLENGE,
        });
      }
      const decision = await authorizer(header);
      if (!decision.allowed) {
        return sendError(reply, 403, 'forbidden', decision.reason ?? 'this token may not request a recheck');
      }
    }

    const slot = gate.tryStart();
    if (!slot.ok) {
      const message = slot.reason === 'busy' ? 'a check run is already in progress' : 'the last check run is too recent';
      return tooMany(reply, slot.retryAfterSeconds, message);
    }
    try {
      const report = await reports.recheck();
      return ReportSchema.parse(report);
    } catch (error) {
      // The source has its own guard (e.g. the periodic run in progress): same answer as ours.
      if (error instanceof RecheckBusyError || error instanceof RecheckTooSoonError) {
        return tooMany(reply, error.retryAfterSeconds, error.message);
      }
      throw error;
    } finally {
      slot.done();
    }
  });
};
