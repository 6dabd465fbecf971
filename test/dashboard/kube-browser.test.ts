/**
 * The dashboard over the real cluster view: a fake kube-apiserver (test/support/fake-apiserver.ts)
 * holds nodes whose labels, report annotation and MeshPreflightReady condition were produced by the
 * publisher's own desiredNodeState; the agent lists them with listNodeReadiness through our client.
 * Checked in Debian chromium. Skipped (with a log) without chromium unless CI is set.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createMetrics } from '../../src/api/metrics.ts';
import type { Report } from '../../src/core/report.ts';
import { createKubeNodeApi, resolveKubeConfig } from '../../src/kube/client.ts';
import { desiredNodeState, kubeTime, ownKeys } from '../../src/kube/node-status.ts';
import { FakeApiServer, type KubeObject } from '../support/fake-apiserver.ts';
import { FakeReports } from '../api/fakes.ts';
import { buildReport, check, mod } from '../api/report-fixture.ts';
import { browserSuite, watchPage } from './browser-support.ts';
import { kubeNodeDirectory } from '../../src/agent/node-directory.ts';
import { NOW } from './fixtures.ts';

const HOSTILE_MODULE = '<img src=x onerror=alert(7)>';
const HOSTILE_MESSAGE = '<script>alert(8)</script>';
const SELF = 'k-notready';

const { launched, browserTest } = await browserSuite();

const keys = ownKeys();
const kubeletReady = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' };

/** A Node object as the publisher leaves it after a report (or before any, when report is undefined). */
function publishedNode(name: string, report: Report | undefined, minutesAgo: number): KubeObject {
  const desired = desiredNodeState(report);
  const at = kubeTime(new Date(NOW - minutesAgo * 60_000));
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name };
  for (const [k, v] of Object.entries(desired.labels)) if (v !== null) labels[k] = v;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(desired.annotations)) if (v !== null) annotations[k] = v;
  return {
    metadata: { name, labels, annotations },
    status: { conditions: [kubeletReady, { ...desired.condition, lastHeartbeatTime: at, lastTransitionTime: at }] },
  };
}

const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
const reports = {
  ready: buildReport({ node: 'k-ready', generatedAt: at(3) }),
  degraded: buildReport({ node: 'k-degraded', generatedAt: at(20), checks: [check('kernel', 'pass'), check('sysctl', 'warn')] }),
  notReady: buildReport({
    node: SELF,
    generatedAt: at(1),
    checks: [check('kernel', 'pass'), { ...check('modules', 'fail', 'xt_REDIRECT is missing'), remediation: ['modprobe xt_REDIRECT'] }],
    modules: [mod('ip_tables', 'builtin'), mod('xt_REDIRECT', 'missing')],
  }),
};

let fake: FakeApiServer | undefined;
let app: FastifyInstance | undefined;
let dir = '';
let base = '';

test.before(async () => {
  if (launched instanceof Error) return;
  fake = await FakeApiServer.start();
  fake.addNode(publishedNode('k-ready', reports.ready, 3));
  fake.addNode(publishedNode('k-degraded', reports.degraded, 20));
  fake.addNode(publishedNode(SELF, reports.notReady, 1));
  fake.addNode({ metadata: { name: 'k-new', labels: { 'kubernetes.io/hostname': 'k-new' } }, status: { conditions: [kubeletReady] } });
  fake.addNode(publishedNode('k-pending', undefined, 0));
  // A peer that published hostile text: a module name and a condition message carrying markup.
  const hostile = publishedNode('k-hostile', buildReport({ node: 'k-hostile', checks: [check('modules', 'fail')] }), 30);
  const summary = JSON.parse(hostile.metadata.annotations[keys.report]);
  hostile.metadata.annotations[keys.report] = JSON.stringify({ ...summary, missingModules: [HOSTILE_MODULE] });
  hostile.status.conditions[1].message = HOSTILE_MESSAGE;
  fake.addNode(hostile);
  // A peer whose annotation is not JSON: ignored, its ready label (set only with a report) still counts.
  const garbled = publishedNode('k-garbled', reports.ready, 5);
  garbled.metadata.annotations[keys.report] = '<b>not json';
  fake.addNode(garbled);

  dir = await mkdtemp(join(tmpdir(), 'mp-dash-kube-'));
  const resolved = resolveKubeConfig({ kubeconfig: await fake.writeKubeconfig(dir), env: {} });
  if (resolved === undefined) throw new Error('kubeconfig for the fake API server did not resolve');
  const api = createKubeNodeApi(resolved, { timeoutMs: 5000 });
  app = buildServer({
    reports: new FakeReports(reports.notReady),
    nodes: kubeNodeDirectory(api, 'mesh-preflight.io/', { minTtlMs: 0 }),
    metrics: createMetrics({ defaultMetrics: false }),
    now: () => NOW,
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

test.after.always(async () => {
  await app?.close();
  await fake?.close();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
  if (!(launched instanceof Error)) await launched.close();
});

async function counts(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const link of await page.locator('#counts a[data-filter]').all()) {
    out[(await link.getAttribute('data-filter')) ?? ''] = Number(await link.locator('.n').textContent());
  }
  return out;
}
const rowNames = (page: Page) => page.locator('#nodes tbody tr[data-status] th a').allTextContents();

browserTest('nodes listed from a (fake) API server: counts, filter, peer and own pages, live updates', async (t) => {
  const context = await (launched as Browser).newContext({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems = watchPage(page);

  await page.goto(base + '/');
  t.deepEqual(await counts(page), { all: 7, 'not-ready': 2, degraded: 1, unchecked: 2, ready: 2 });
  // Backend, mesh and readiness come from the labels and annotation (the lean list has no condition).
  const degraded = page.locator('tr[data-node="k-degraded"] td');
  t.deepEqual((await degraded.allTextContents()).slice(0, 3), ['! Degraded', 'nft', 'istio']);
  t.is(await page.locator('tr[data-node="k-garbled"]').getAttribute('data-status'), 'ready');

  await page.locator('#counts a[data-filter="not-ready"]').click();
  await page.waitForURL(/\?filter=not-ready$/);
  t.deepEqual(await rowNames(page), ['k-hostile', SELF]);
  t.is(await page.locator('tr[data-node="k-hostile"] code').getByText(HOSTILE_MODULE, { exact: true }).count(), 1);

  await page.getByRole('link', { name: 'k-hostile', exact: true }).click();
  await page.waitForURL(/\/nodes\/k-hostile$/);
  t.regex((await page.locator('dl.facts').textContent()) ?? '', new RegExp(HOSTILE_MESSAGE.replace(/[()/]/g, '\\$&')));
  t.is(await page.evaluate(() => document.scripts.length + document.images.length), 0);

  await page.goto(base + `/nodes/${SELF}`);
  t.deepEqual(await page.locator('#check-modules pre.command code').allTextContents(), ['modprobe xt_REDIRECT']);
  t.regex((await page.locator('dl.facts').first().textContent()) ?? '', /MeshPreflightReady=False/);

  // The peer publishes its first report; the next page load shows it (no stale cache).
  fake?.updateNode('k-new', () => publishedNode('k-new', buildReport({ node: 'k-new', generatedAt: at(0) }), 0));
  await page.goto(base + '/?filter=unchecked');
  t.deepEqual(await rowNames(page), ['k-pending']);
  t.deepEqual(await counts(page), { all: 7, 'not-ready': 2, degraded: 1, unchecked: 1, ready: 3 });
  t.deepEqual(problems, []);
});
