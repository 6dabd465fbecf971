/**
 * The readiness dashboard: server-rendered HTML, no client script, no external resources, so it works
 * offline and with JavaScript off. `GET /` (every node), `GET /nodes/:name` (one node),
 * `GET /assets/dashboard.css` and `/assets/favicon.svg`. Every HTML response carries a strict
 * Content-Security-Policy and nosniff; every value is escaped by src/dashboard/html.ts.
 */
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { NodeDirectory, NodeReadiness, ReportSource } from '../types.ts';
import { NodeReadinessSchema } from '../types.ts';
import { DASHBOARD_CSS, FAVICON_SVG } from '../../dashboard/assets.ts';
import { IndexQuerySchema, renderIndex } from '../../dashboard/index-page.ts';
import { renderError, renderOwnNode, renderPeerNode } from '../../dashboard/node-page.ts';
import { buildRows, isNodeName } from '../../dashboard/rows.ts';

/** Options of the dashboard routes. */
export interface DashboardRoutesOptions {
  reports: ReportSource;
  nodes?: NodeDirectory;
  /** Milliseconds clock for "N min ago"; defaults to Date.now. */
  now?: () => number;
  /** `<meta http-equiv="refresh">` interval of the index page; default 30 s. */
  refreshSeconds?: number;
}

/** The policy of every dashboard response: nothing but our own stylesheet and icon may load. */
export const DASHBOARD_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .code(status)
    .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-store' })
    .type('text/html; charset=utf-8')
    .send(body);
}

interface Listed {
  /** Undefined without Kubernetes or when the LIST failed. */
  nodes?: NodeReadiness[];
  notices: string[];
  failed: boolean;
}

/** Lists the directory; entries that do not match the schema are dropped and counted, not fatal. */
async function listNodes(directory: NodeDirectory | undefined, log: FastifyBaseLogger): Promise<Listed> {
  if (directory === undefined) return { notices: [], failed: false };
  let raw: unknown;
  try {
    raw = await directory.list();
  } catch (error) {
    log.error({ err: error }, 'dashboard: listing nodes failed');
    return { notices: ['Listing nodes from the Kubernetes API failed; showing only this node. See the agent log.'], failed: true };
  }
  const entries = Array.isArray(raw) ? raw : [];
  const nodes: NodeReadiness[] = [];
  for (const entry of entries) {
    const parsed = NodeReadinessSchema.safeParse(entry);
    if (parsed.success) nodes.push(parsed.data);
  }
  const dropped = entries.length - nodes.length;
  const notices = dropped > 0 ? [`${dropped} node entr${dropped === 1 ? 'y' : 'ies'} from the node directory did not match the expected shape and ${dropped === 1 ? 'is' : 'are'} not shown.`] : [];
  return { nodes, notices, failed: false };
}

/** One node, read whole (with its condition) when the directory can; else found in the list. */
async function readNode(directory: NodeDirectory | undefined, name: string, log: FastifyBaseLogger): Promise<Listed> {
  if (directory?.get === undefined) return listNodes(directory, log);
  try {
    const node = await directory.get(name);
    const parsed = node === undefined ? undefined : NodeReadinessSchema.safeParse(node);
    return { nodes: parsed?.success ? [parsed.data] : [], notices: [], failed: false };
  } catch (error) {
    log.error({ err: error }, 'dashboard: reading the node failed');
    return { notices: [], failed: true };
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
}

/** `GET /`, `GET /nodes/:name`, `GET /assets/dashboard.css`, `GET /assets/favicon.svg`. */
export const dashboardRoutes: FastifyPluginAsync<DashboardRoutesOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now;
  const refreshSeconds = opts.refreshSeconds ?? 30;

  app.get('/assets/dashboard.css', async (_request, reply) =>
    reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'public, max-age=300' }).type('text/css; charset=utf-8').send(DASHBOARD_CSS));

  app.get('/assets/favicon.svg', async (_request, reply) =>
    reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'public, max-age=86400' }).type('image/svg+xml').send(FAVICON_SVG));

  app.get('/', async (request, reply) => {
    const query = IndexQuerySchema.safeParse(request.query ?? {});
    if (!query.success) return sendHtml(reply, 400, renderError('Bad request', describe(query.error), ''));
    const listed = await listNodes(opts.nodes, request.log);
    const self = opts.reports.latest();
    const notices = [...listed.notices];
    if (listed.nodes === undefined && self === undefined) notices.push('The first check run on this node has not finished yet.');
    const body = renderIndex({
      rows: buildRows(listed.nodes, self),
      query: query.data,
      clusterView: listed.nodes !== undefined,
      notices,
      now: now(),
      refreshSeconds,
    });
    return sendHtml(reply, 200, body);
  });

  // A wildcard, not `:name`: fastify caps parameters at 100 characters and node names may have 253.
  app.get('/nodes/*', async (request, reply) => {
    const name = (request.params as { '*'?: string })['*'] ?? '';
    if (!isNodeName(name)) {
      return sendHtml(reply, 400, renderError('Bad request', 'A node name is a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", at most 253 characters.', '../'));
    }
    const self = opts.reports.latest();
    const listed = await readNode(opts.nodes, name, request.log);
    const published = listed.nodes?.find((n) => n.name === name);
    if (self !== undefined && self.node === name) return sendHtml(reply, 200, renderOwnNode(self, published, now()));
    if (published !== undefined) return sendHtml(reply, 200, renderPeerNode(published, now()));
    if (listed.failed) return sendHtml(reply, 502, renderError('Node list unavailable', 'Listing nodes from the Kubernetes API failed; see the agent log.', '../'));
    const known = opts.nodes === undefined
      ? `This agent runs without Kubernetes and knows only its own node${self === undefined ? '' : ` (${self.node})`}.`
      : 'The cluster has no node of this name.';
    return sendHtml(reply, 404, renderError('Node not found', `No node “${name}”. ${known}`, '../'));
  });
};
