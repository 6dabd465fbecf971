/**
 * `GET /v1/nodes`: the cluster's view of every node's readiness (from labels, annotation and
 * condition), optionally filtered by `?ready=`. Needs Kubernetes: 503 without it.
 */
import { z } from 'zod';
import type { FastifyPluginAsync } from 'fastify';
import type { NodeDirectory } from '../types.ts';
import { NodeReadinessSchema } from '../types.ts';
import { describeIssues, sendError } from '../errors.ts';

/** Options of the nodes route. */
export interface NodesRoutesOptions {
  nodes?: NodeDirectory;
}

/** Query of `/v1/nodes`; strict, so a misspelt filter is a 400 rather than an unfiltered list. */
export const NodesQuerySchema = z.strictObject({
  ready: NodeReadinessSchema.shape.ready.optional(),
});

const NodeListSchema = z.array(NodeReadinessSchema);

/** `GET /v1/nodes`. */
export const nodesRoutes: FastifyPluginAsync<NodesRoutesOptions> = async (app, { nodes }) => {
  app.get('/v1/nodes', async (request, reply) => {
    const query = NodesQuerySchema.safeParse(request.query ?? {});
    if (!query.success) return sendError(reply, 400, 'bad-request', describeIssues(query.error));
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
    const { ready } = query.data;
    const items = ready === undefined ? all : all.filter((n) => n.ready === ready);
    return { nodes: items };
  });
};
