/** Server and HTML helpers for the dashboard tests. */
import type { ExecutionContext } from 'ava';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createMetrics } from '../../src/api/metrics.ts';
import type { ApiDeps, NodeDirectory, NodeReadiness } from '../../src/api/types.ts';
import { FakeReports } from '../api/fakes.ts';
import type { Report } from '../../src/core/report.ts';
import { NOW } from './fixtures.ts';

/** What a dashboard test server serves. */
export interface DashboardSetup {
  report?: Report;
  nodes?: NodeReadiness[] | Error | NodeDirectory;
}

/** A NodeDirectory over a list (or one that fails), counting its calls. */
export function directory(nodes: NodeReadiness[] | Error | unknown[]): NodeDirectory & { calls: number } {
  const dir = {
    calls: 0,
    async list() {
      dir.calls += 1;
      if (nodes instanceof Error) throw nodes;
      return nodes as NodeReadiness[];
    },
  };
  return dir;
}

/** buildServer with a fixed clock; closed when the test ends. */
export function dashboardServer(t: ExecutionContext, setup: DashboardSetup): FastifyInstance {
  const deps: ApiDeps = {
    reports: new FakeReports(setup.report),
    metrics: createMetrics({ defaultMetrics: false }),
    now: () => NOW,
  };
  if (setup.nodes !== undefined) deps.nodes = Array.isArray(setup.nodes) || setup.nodes instanceof Error ? directory(setup.nodes) : setup.nodes;
  const app = buildServer(deps);
  t.teardown(() => app.close());
  return app;
}

/** `data-node` of every table row, in order (attribute values decoded). */
export function rowNames(body: string): string[] {
  return [...body.matchAll(/<tr data-node="([^"]*)"/g)].map((m) => decode(m[1] ?? ''));
}

/** `data-status` of every table row, in order. */
export function rowStatuses(body: string): string[] {
  return [...body.matchAll(/<tr data-node="[^"]*" data-status="([^"]*)"/g)].map((m) => m[1] ?? '');
}

/** The number shown on each filter link. */
export function countsOf(body: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of body.matchAll(/data-filter="([a-z-]+)"[^>]*><span class="n">(\d+)<\/span>/g)) out[m[1] ?? ''] = Number(m[2]);
  return out;
}

/** Decodes the five entities escapeHtml produces. */
export function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Every element name used in a document (start tags only). */
export function tagNames(body: string): Set<string> {
  return new Set([...body.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => (m[1] ?? '').toLowerCase()));
}

/** Every attribute name used in a document's start tags. */
export function attributeNames(body: string): Set<string> {
  const names = new Set<string>();
  for (const tag of body.matchAll(/<[a-zA-Z][a-zA-Z0-9-]*([^>]*)>/g)) {
    for (const a of (tag[1] ?? '').matchAll(/\s+([^\s=>"']+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g)) names.add((a[1] ?? '').toLowerCase());
  }
  return names;
}
