/**
 * The API's error bodies: always JSON `{ error, message }`, `error` a stable kebab-case code, never a
 * stack trace. Route handlers answer expected failures with sendError; anything thrown reaches the
 * server's error handler, which maps it here.
 */
import { z } from 'zod';
import type { FastifyReply } from 'fastify';

/** Stable error codes returned by the API. */
export const apiErrorCodes = [
  'bad-request',
  'unauthorized',
  'forbidden',
  'not-found',
  'no-report',
  'recheck-disabled',
  'too-many-requests',
  'payload-too-large',
  'unsupported-media-type',
  'kubernetes-unavailable',
  'kubernetes-error',
  'internal',
] as const;
export type ApiErrorCode = (typeof apiErrorCodes)[number];

/** Shape of every error response body. */
export const ApiErrorSchema = z.object({ error: z.enum(apiErrorCodes), message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** Sends `{ error, message }` with the given status and headers. */
export function sendError(
  reply: FastifyReply,
  status: number,
  error: ApiErrorCode,
  message: string,
  headers: Record<string, string> = {},
): FastifyReply {
  const body: ApiError = { error, message };
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').send(body);
}

/** Maps a 4xx status raised by fastify itself (bad JSON, body too large, ...) to one of our codes. */
export function codeForClientStatus(status: number): ApiErrorCode {
  switch (status) {
    case 401: return 'unauthorized';
    case 403: return 'forbidden';
    case 404: return 'not-found';
    case 413: return 'payload-too-large';
    case 415: return 'unsupported-media-type';
    case 429: return 'too-many-requests';
    default: return 'bad-request';
  }
}

/** One line per zod issue, `path: message`, for 400 bodies. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
