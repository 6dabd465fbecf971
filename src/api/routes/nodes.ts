/**
 * `GET /v1/nodes`: the cluster's view of every node's readiness (from labels and annotation), sorted
 * by name, filtered and paged by the server: `?ready=true|false|unknown`, `?q=` (name contains,
 * case-insensitive), `?limit=N&continue=TOKEN` (the token is the `continue` of the previous answer).
 * Needs Kubernetes: 503 without it.
 */
import { z } from 'zod';
import type { FastifyPluginAsync } from 'fastify';
import type { NodeDirectory, NodeReadiness } from '../types.ts';
import { NodeReadinessSchema } from '../types.ts';
import { describeIssues, sendError } from '../errors.ts';

/** Options of the nodes route. */
export interface NodesRoutesOptions {
  nodes?: NodeDirectory;
}

/** Largest page `?limit=` may ask for. */
export const MAX_NODES_LIMIT = 5000;

/** Query of `/v1/nodes`; strict, so a misspelt filter is a 400 rather than an unfiltered list. */
export const NodesQuerySchema = z.strictObject({
  ready: NodeReadinessSchema.shape.ready.optional(),
  q: z.string().max(253).optional(),
  limit: z
    .string()
    .regex(/^\d{1,5}$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_NODES_LIMIT, `expected 1 to ${MAX_NODES_LIMIT}`)
    .optional(),
  continue: z.string().max(400).optional(),
});

const NodeListSchema = z.array(NodeReadinessSchema);

/** The opaque `continue` token: the last name of the previous page (names are unique and sorted). */
export function encodeNodesContinue(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName })).toString('base64url');
}

export function decodeNodesContinue(token: string): string | undefined {
  try {
    const parsed = z.object({ after: z.string().min(1) }).safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data.after : undefined;
  } catch {
    return undefined;
  }
}

/** The nodes matching `ready` and `q`, from the one after `after`, at most `limit`. */
export function selectNodes(
  all: readonly NodeReadiness[],
  query: { ready?: NodeReadiness['ready'] | undefined; q?: string | undefined; limit?: number | undefined; after?: string | undefined },
): { nodes: NodeReadiness[]; total: number; continue?: string } {
  const needle = (query.q ?? '').trim().toLowerCase();
  const matching = all.filter((n) => (query.ready === undefined || n.ready === query.ready) && (needle === '' || n.name.toLowerCase().includes(needle)));
  const after = query.after;
  const rest = after === undefined ? matching : matching.filter((n) => n.name > after);
  if (query.limit === undefined || rest.length <= query.limit) return { nodes: rest, total: matching.length };
  const nodes = rest.slice(0, query.limit);
  return { nodes, total: matching.length, continue: encodeNodesContinue(nodes[nodes.length - 1]!.name) };
}

/** `GET /v1/nodes`. */
export const nodesRoutes: FastifyPluginAsync<NodesRoutesOptions> = async (app, { nodes }) => {
  app.get('/v1/nodes', async (request, reply) => {
    const query = NodesQuerySchema.safeParse(request.query ?? {});
    if (!query.success) return sendError(reply, 400, 'bad-request', describeIssues(query.error));
    const after = query.data.continue === undefined ? undefined : decodeNodesContinue(query.data.continue);
    if (query.data.continue !== undefined && after === undefined) {
      return sendError(reply, 400, 'bad-request', 'continue: expected the continue token of a previous /v1/nodes answer');
    }
    if (nodes === undefined) {
      return sendError(reply, 503, 'kubernetes-unavailable', 'the agent runs without Kubernetes access; node readiness is not available');
    }
    let listed: unknown;
    try {
      listed = await nodes.list();
    } catch (error) {
      request.log.error({ err: error }, 'listing nodes failed');
      return sendError(reply, 502, 'kubernetes-error', 'listing nodes from the Kubernetes API failed; see the agent log');
    }
    const all = NodeListSchema.parse(listed);
    return selectNodes(all, { ...query.data, after });
  });
};
