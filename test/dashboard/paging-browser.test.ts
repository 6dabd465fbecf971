/**
 * The paged dashboard in a real browser (Debian chromium), JavaScript off: a 250-node cluster as the
 * lean list gives it (labels and annotation, no condition), worst first, 100 rows a page, reached
 * through plain links; counts stay cluster-wide on every page.
 */
import test from 'ava';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createMetrics } from '../../src/api/metrics.ts';
import type { NodeReadiness } from '../../src/api/types.ts';
import { FakeReports } from '../api/fakes.ts';
import { directory } from './helpers.ts';
import { browserSuite, watchPage } from './browser-support.ts';
import { NOW } from './fixtures.ts';

const { launched, browserTest } = await browserSuite();

/** 250 nodes: every 25th not ready, every 10th never checked, the rest ready. */
function leanCluster(): NodeReadiness[] {
  return Array.from({ length: 250 }, (_, i): NodeReadiness => {
    const name = `node-${String(i).padStart(3, '0')}`;
    if (i % 10 === 3) return { name, ready: 'unknown' };
    const verdict = i % 25 === 0 ? 'not-ready' : 'ready';
    return { name, ready: verdict === 'ready' ? 'true' : 'false', backend: 'nft', mesh: 'istio', summary: { verdict, failing: verdict === 'ready' ? [] : ['modules'], missing: [], generatedAt: '2025-06-01T11:00:00Z' } };
  });
}

let app: FastifyInstance | undefined;
let base = '';

test.before(async () => {
  if (launched instanceof Error) return;
  app = buildServer({ reports: new FakeReports(), nodes: directory(leanCluster()), metrics: createMetrics({ defaultMetrics: false }), now: () => NOW });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

test.after.always(async () => {
  await app?.close();
  if (!(launched instanceof Error)) await launched.close();
});

browserTest('without JavaScript: worst first, 100 rows a page, every node reachable by Next/Last links; a filter starts at page 1', async (t) => {
  const context = await (launched as Browser).newContext({ javaScriptEnabled: false });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(base + '/');
  const statuses = () => page.locator('#nodes tbody tr[data-status]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  const names = () => page.locator('#nodes tbody tr[data-status]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')));
  const first = await statuses();
  t.is(first.length, 100);
  t.deepEqual(first.slice(0, 10), Array(10).fill('not-ready'), 'the ten not-ready nodes lead');
  t.is(await page.locator('#counts a[data-filter="all"] .n').textContent(), '250');
  t.regex((await page.locator('caption').textContent()) ?? '', /page 1 of 3, rows 1–100/);
  const seen = new Set(await names());
  await page.locator('nav.pager a[rel="next"]').click();
  await page.waitForURL(/\?page=2$/);
  for (const n of await names()) seen.add(n!);
  await page.locator('nav.pager a', { hasText: 'Last' }).click();
  await page.waitForURL(/\?page=3$/);
  t.is((await statuses()).length, 50);
  for (const n of await names()) seen.add(n!);
  t.is(seen.size, 250, 'every node on exactly one page');
  t.is(await page.locator('#counts a[data-filter="all"] .n').textContent(), '250', 'counts stay cluster-wide');
  await page.locator('#counts a[data-filter="unchecked"]').click();
  await page.waitForURL(/\?filter=unchecked$/);
  t.is((await statuses()).length, 25);
  t.is(await page.locator('nav.pager').count(), 0, 'one page: no pager');
  t.deepEqual(problems, []);
});
