/**
 * The dashboard as an operator meets it: the real agent (startAgent) checking a fixture host that lacks
 * xt_owner, publishing to the fake API server (test/support — a fake, not a kube-apiserver) next to peers
 * in other states, opened in Debian chromium. Skipped (with a log) without chromium unless CI is set.
 */
import test from 'ava';
import type { Browser } from 'playwright-core';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { agentSettings, fixtureCheck } from '../helpers/agent.ts';
import { fakeWithClient } from '../kube/fixtures.ts';
import type { FakeApiServer } from '../support/fake-apiserver.ts';
import { browserSuite, watchPage } from './browser-support.ts';

const { launched, browserTest } = await browserSuite();

let fake: FakeApiServer | undefined;
let agent: RunningAgent | undefined;

test.after.always(async () => {
  await agent?.stop();
  await fake?.close();
  if (!(launched instanceof Error)) await launched.close();
});

browserTest('the agent on the fake API server: its own failing node with the remedy, peers counted', async (t) => {
  const started = await fakeWithClient();
  fake = started.fake;
  fake.addNode({ metadata: { name: 'peer-ready', labels: { 'mesh-preflight.io/ready': 'true', 'mesh-preflight.io/iptables-backend': 'nft', 'mesh-preflight.io/mesh': 'istio' } }, status: { conditions: [{ type: 'MeshPreflightReady', status: 'True', reason: 'MeshInterceptionReady', message: 'ready', lastHeartbeatTime: new Date().toISOString() }] } });
  fake.addNode({ metadata: { name: 'peer-new', labels: {} }, status: { conditions: [] } });
  agent = await startAgent(agentSettings({ recheckAuth: 'off' }), { kube: started.api, log: () => undefined, check: fixtureCheck({ current: 'lacks-module' }) });
  const deadline = Date.now() + 30_000;
  while (fake.getNode('n1')?.metadata.labels['mesh-preflight.io/ready'] !== 'false' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

  const context = await (launched as Browser).newContext({ viewport: { width: 1280, height: 800 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(`${agent.url}/`);
  const counts: Record<string, number> = {};
  for (const link of await page.locator('#counts a[data-filter]').all()) counts[(await link.getAttribute('data-filter')) ?? ''] = Number(await link.locator('.n').textContent());
  t.like(counts, { all: 3, 'not-ready': 1, ready: 1, unchecked: 1 });
  t.is(await page.locator('tr[data-node="n1"]').getAttribute('data-status'), 'not-ready');

  await page.getByRole('link', { name: 'n1', exact: true }).click();
  await page.waitForURL(/\/nodes\/n1$/);
  const modules = (await page.locator('#check-modules').textContent()) ?? '';
  t.regex(modules, /xt_owner/);
  t.regex(modules, /cannot be loaded on this kernel/);
  t.deepEqual(problems, []);
});
