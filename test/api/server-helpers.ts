/** Builds a server for a test and closes it when the test ends. */
import type { ExecutionContext } from 'ava';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import type { ApiDeps } from '../../src/api/types.ts';
import { createMetrics } from '../../src/api/metrics.ts';

/** buildServer with default process metrics off (they are tested once, in metrics.test.ts). */
export function serverFor(t: ExecutionContext, deps: ApiDeps): FastifyInstance {
  const app = buildServer({ metrics: createMetrics({ defaultMetrics: false }), ...deps });
  t.teardown(() => app.close());
  return app;
}

/** Asserts the `{ error, message }` body shape, the code, and that nothing looks like a stack trace. */
export function assertApiError(
  t: ExecutionContext,
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
): { error: string; message: string } {
  t.is(response.statusCode, status, response.body);
  t.regex(String(response.headers['content-type']), /^application\/json/);
  const body = JSON.parse(response.body) as { error: string; message: string };
  t.deepEqual(Object.keys(body).sort(), ['error', 'message']);
  t.is(body.error, code);
  t.is(typeof body.message, 'string');
  t.notRegex(response.body, /\bat .*\(.*:\d+:\d+\)|\.ts:\d+|node_modules|stack/);
  return body;
}
