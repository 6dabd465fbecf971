import test from 'ava';
import { InitContainerWatcher, failedRuns, type ClassifyContext, type ClassifyFn } from '../../src/kube/pod-watch.ts';
import type { PodInfo } from '../../src/kube/client.ts';
import { fakeWithClient } from './fixtures.ts';

const istioLog = [
  '2025-06-01T12:00:00.000000Z\tinfo\tRunning iptables-restore with the following input:',
  'iptables-restore v1.8.9 (nf_tables): Couldn\'t load match `owner\':No such file or directory',
  'Error occurred at line: 12',
].join('\n') + '\n';

/** A stand-in classifier: recognises one real-looking signature, records what it was given. */
function recordingClassifier() {
  const calls: Array<{ log: string; ctx: ClassifyContext }> = [];
  const classify: ClassifyFn = (log, ctx) => {
    calls.push({ log, ctx });
    const m = /Couldn't load match `(\w+)'/.exec(log);
    if (!m) return undefined;
    return {
      category: 'missing-match-extension',
      nodeProblem: true,
      modules: [`xt_${m[1]}`],
      extension: m[1]!,
      matchedLine: m[0],
      explanation: `the kernel lacks the xt_${m[1]} match`,
      remediation: [`modprobe xt_${m[1]}`],
    };
  };
  return { calls, classify };
}

const failedInit = (restartCount: number, mode: 'terminated' | 'crashloop') => ({
  name: 'istio-init',
  restartCount,
  state: mode === 'terminated' ? { terminated: { exitCode: 1, reason: 'Error' } } : { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
  lastState: mode === 'crashloop' ? { terminated: { exitCode: 1, reason: 'Error' } } : {},
});

const podSpec = { nodeName: 'n1', initContainers: [{ name: 'istio-init' }, { name: 'istio-validation' }], containers: [{ name: 'app' }] };

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(opts: Partial<ConstructorParameters<typeof InitContainerWatcher>[0]> = {}) {
  const { fake, api } = await fakeWithClient({ bookmarkIntervalMs: 100 });
  const c = recordingClassifier();
  const watcher = new InitContainerWatcher({ api, nodeName: 'n1', classify: c.classify, logMinIntervalMs: 0, reconnectDelayMs: 20, now: () => new Date('2025-06-01T12:00:00Z'), ...opts });
  watcher.start();
  await watcher.synced;
  return { fake, api, watcher, ...c };
}

test('a failing istio-init appears → finding (source watch) + Warning Event on the pod', async (t) => {
  const { fake, watcher, calls } = await setup();
  fake.addPod({ metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web', 'security.istio.io/tlsMode': 'istio' } }, spec: podSpec });
  fake.setPodLog('shop', 'web-1', 'istio-init', istioLog);
  fake.updatePod('shop', 'web-1', (p) => void (p.status = { initContainerStatuses: [failedInit(0, 'terminated')] }));
  await until(() => watcher.findings().length === 1 && fake.events.length === 1);
  const [f] = watcher.findings();
  t.like(f, { namespace: 'shop', pod: 'web-1', container: 'istio-init', restartCount: 0, source: 'watch', category: 'missing-match-extension', nodeProblem: true, modules: ['xt_owner'], observedAt: '2025-06-01T12:00:00.000Z' });
  t.is(f!.podUid, fake.getPod('shop', 'web-1')!.metadata.uid);
  t.like(calls[0]!.ctx, { container: 'istio-init', exitCode: 1, podLabels: { app: 'web', 'security.istio.io/tlsMode': 'istio' }, reason: 'Error' });
  t.is(calls[0]!.log, istioLog);
  const logReq = fake.requestsMatching('GET', '/api/v1/namespaces/shop/pods/web-1/log')[0]!;
  t.like(logReq.query, { container: 'istio-init', tailLines: '200', limitBytes: '65536' });
  t.is(logReq.query['previous'], 'false');
  const ev = fake.events[0]!;
  t.like(ev, { type: 'Warning', reason: 'MeshInitFailure', involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'shop', fieldPath: 'spec.initContainers{istio-init}' } });
  t.is(ev.message, 'istio-init failed (exit 1): the kernel lacks the xt_owner match. Fix: modprobe xt_owner');
  t.false(ev.message.includes('\n'));
  await watcher.stop();
  await fake.close();
});

test('restart → one new finding per failed attempt; same attempt seen again → no duplicate', async (t) => {
  const { fake, watcher, calls } = await setup();
  fake.addPod({ metadata: { name: 'web-2', namespace: 'shop' }, spec: podSpec, status: { initContainerStatuses: [failedInit(0, 'terminated')] } });
  fake.setPodLog('shop', 'web-2', 'istio-init', istioLog);
  fake.setPodLog('shop', 'web-2', 'istio-init', istioLog, { previous: true });
  await until(() => watcher.stats.findings === 1);
  // The same failed run, now shown as lastState behind CrashLoopBackOff: not a new failure.
  fake.updatePod('shop', 'web-2', (p) => void (p.status = { initContainerStatuses: [failedInit(1, 'crashloop')] }));
  // An unrelated update (label) with the same statuses.
  fake.updatePod('shop', 'web-2', (p) => void (p.metadata.labels = { touched: 'yes' }));
  await new Promise((r) => setTimeout(r, 200));
  await watcher.idle();
  t.is(watcher.stats.findings, 1);
  t.is(fake.events.length, 1);
  // Second failed run (restart 1) while backing off at restartCount 2 → new finding, log of the previous instance.
  fake.updatePod('shop', 'web-2', (p) => void (p.status = { initContainerStatuses: [failedInit(2, 'crashloop')] }));
  await until(() => watcher.stats.findings === 2 && fake.events.length === 2);
  t.is(calls[1]!.ctx.reason, 'CrashLoopBackOff');
  t.is(fake.requestsMatching('GET', '/api/v1/namespaces/shop/pods/web-2/log').at(-1)!.query['previous'], 'true');
  t.is(watcher.findings().length, 1, 'latest finding per (pod, container)');
  t.is(watcher.findings()[0]!.restartCount, 2);
  await watcher.stop();
  await fake.close();
});

test('failures already present at start are found by the initial list; other containers and exit 0 ignored', async (t) => {
  const { fake, api } = await fakeWithClient();
  fake.addPod({
    metadata: { name: 'old', namespace: 'ns' },
    spec: { ...podSpec, initContainers: [{ name: 'istio-init' }, { name: 'my-init' }, { name: 'istio-validation' }] },
    status: {
      initContainerStatuses: [
        { name: 'istio-init', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: {} },
        { name: 'my-init', restartCount: 0, state: { terminated: { exitCode: 3 } }, lastState: {} },
        { name: 'istio-validation', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 126 } } },
      ],
    },
  });
  fake.addPod({ metadata: { name: 'elsewhere', namespace: 'ns' }, spec: { ...podSpec, nodeName: 'n2' }, status: { initContainerStatuses: [failedInit(0, 'terminated')] } });
  const c = recordingClassifier();
  const watcher = new InitContainerWatcher({ api, nodeName: 'n1', classify: c.classify, logMinIntervalMs: 0, reconnectDelayMs: 20 });
  watcher.start();
  await watcher.synced;
  await until(() => watcher.stats.findings === 1);
  await watcher.idle();
  const [f] = watcher.findings();
  t.like(f, { pod: 'old', container: 'istio-validation', category: 'unrecognized', nodeProblem: false });
  t.regex(f!.matchedLine, /log not available: .*previous terminated container "istio-validation" in pod "old" not found/);
  t.is(c.calls[0]!.ctx.exitCode, 126);
  t.is(watcher.stats.logErrors, 1);
  await watcher.stop();
  await fake.close();
});

test('dropped watch → resumes from the last resourceVersion without relisting', async (t) => {
  const { fake, watcher } = await setup();
  await until(() => fake.openWatches === 1);
  fake.dropWatches();
  fake.addPod({ metadata: { name: 'during-gap', namespace: 'ns' }, spec: podSpec, status: { initContainerStatuses: [failedInit(0, 'terminated')] } });
  await until(() => watcher.stats.findings === 1);
  t.is(watcher.stats.lists, 1, 'no relist');
  const watches = fake.requestsMatching('GET', '/api/v1/pods', { watch: true });
  t.true(watches.length >= 2);
  t.truthy(watches.at(-1)!.query['resourceVersion']);
  t.is(watches.at(-1)!.query['fieldSelector'], 'spec.nodeName=n1');
  t.is(watches.at(-1)!.query['allowWatchBookmarks'], 'true');
  await watcher.stop();
  await fake.close();
});

test('410 Gone on resume → relist, then watch again', async (t) => {
  const { fake, watcher } = await setup();
  await until(() => fake.openWatches === 1);
  // The watch fails to reconnect for a while (API server busy), history is compacted meanwhile.
  fake.fail({ watch: true, status: 503, times: 2 });
  fake.dropWatches();
  fake.addPod({ metadata: { name: 'missed', namespace: 'ns' }, spec: podSpec, status: { initContainerStatuses: [failedInit(0, 'terminated')] } });
  fake.compactHistory();
  await until(() => watcher.stats.relistsAfterGone === 1 && watcher.stats.findings === 1);
  t.is(watcher.stats.lists, 2);
  t.true(watcher.stats.watchErrors >= 2);
  await until(() => fake.openWatches === 1);
  fake.addPod({ metadata: { name: 'after', namespace: 'ns' }, spec: podSpec, status: { initContainerStatuses: [failedInit(0, 'terminated')] } });
  await until(() => watcher.stats.findings === 2);
  await watcher.stop();
  await until(() => fake.openWatches === 0);
  t.pass('stop closes the watch');
  await fake.close();
});

test('log fetches are rate-limited and bounded', async (t) => {
  const { fake, watcher } = await setup({ logMinIntervalMs: 150, logTailLines: 50, logLimitBytes: 4096 });
  for (let i = 0; i < 3; i++) fake.addPod({ metadata: { name: `p${i}`, namespace: 'ns' }, spec: podSpec, status: { initContainerStatuses: [failedInit(0, 'terminated')] } });
  const t0 = Date.now();
  await until(() => watcher.stats.findings === 3);
  t.true(Date.now() - t0 >= 280, 'three fetches spaced by 150 ms');
  const q = fake.requestsMatching('GET', /\/log$/)[0]!.query;
  t.like(q, { tailLines: '50', limitBytes: '4096' });
  await watcher.stop();
  await fake.close();
});

test('failedRuns: attempt numbering makes terminated(rc=n) and lastState(rc=n+1) the same run', (t) => {
  const pod = (st: object): PodInfo => ({ namespace: 'ns', name: 'p', uid: 'u', labels: {}, initContainerStatuses: [st as never] });
  const a = failedRuns(pod(failedInit(0, 'terminated')), ['istio-init']);
  const b = failedRuns(pod(failedInit(1, 'crashloop')), ['istio-init']);
  t.is(a[0]!.key, b[0]!.key);
  t.false(a[0]!.previous);
  t.true(b[0]!.previous);
  t.deepEqual(failedRuns(pod(failedInit(0, 'terminated')), ['linkerd-init']), []);
  const running = failedRuns(pod({ name: 'istio-init', restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 2 } } }), ['istio-init']);
  t.like(running[0], { attempt: 2, exitCode: 2, previous: true });
});

test('HTTP 410 on the watch request (instead of an ERROR event) also relists', async (t) => {
  const { fake, api } = await fakeWithClient({ goneAsHttpStatus: true });
  const c = recordingClassifier();
  const watcher = new InitContainerWatcher({ api, nodeName: 'n1', classify: c.classify, logMinIntervalMs: 0, reconnectDelayMs: 20 });
  watcher.start();
  await watcher.synced;
  await until(() => fake.openWatches === 1);
  fake.fail({ watch: true, status: 500 });
  fake.dropWatches();
  fake.addPod({ metadata: { name: 'missed', namespace: 'ns' }, spec: podSpec, status: { initContainerStatuses: [failedInit(0, 'terminated')] } });
  fake.compactHistory();
  await until(() => watcher.stats.relistsAfterGone === 1 && watcher.stats.findings === 1);
  t.is(fake.requestsMatching('GET', '/api/v1/pods', { watch: true }).filter((r) => r.status === 410).length, 1);
  await watcher.stop();
  await fake.close();
});

// The mesh node agents: regular DaemonSet containers (src/core/mesh-agents.ts).
const ipsetLog = '2025-01-23T05:19:35.943077Z error cni-agent failed to handle add event: failed to add IP 10.244.0.227 to ipset istio-inpod-probes-v4: invalid comment\n';

function agentClassifier() {
  const calls: Array<{ log: string; ctx: ClassifyContext }> = [];
  const classify: ClassifyFn = (log, ctx) => {
    calls.push({ log, ctx });
    const m = /ipset (\S+): invalid comment/.exec(log);
    if (!m) return { category: 'unknown', nodeProblem: false, modules: [], matchedLine: '', explanation: 'nothing recognised', remediation: [] };
    return { category: 'missing-kernel-module', nodeProblem: true, modules: ['ip_set'], matchedLine: m[0], explanation: 'the kernel ipset lacks comments', remediation: ['modprobe ip_set'] };
  };
  return { calls, classify };
}

/** Runs step until done() holds after it (the watch is asynchronous), or fails after ms. */
async function pollUntil(step: () => Promise<void>, done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    await step();
    if (done()) return;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const agentSpec = (container: string) => ({ nodeName: 'n1', containers: [{ name: container }] });
const running = (name: string, restartCount = 0) => ({ name, restartCount, state: { running: { startedAt: '2025-06-01T11:00:00Z' } }, lastState: {} });

test('ztunnel in CrashLoopBackOff → finding from its previous run + MeshAgentFailure on spec.containers; a sidecar istio-proxy is ignored', async (t) => {
  const { fake, api } = await fakeWithClient({ bookmarkIntervalMs: 100 });
  const c = agentClassifier();
  const watcher = new InitContainerWatcher({ api, nodeName: 'n1', classify: c.classify, logMinIntervalMs: 0, reconnectDelayMs: 20, agentLogIntervalMs: 0 });
  watcher.start();
  await watcher.synced;
  const crash = { name: 'istio-proxy', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } };
  fake.addPod({ metadata: { name: 'productpage-v1-7f9c', namespace: 'default' }, spec: agentSpec('istio-proxy'), status: { containerStatuses: [crash] } });
  fake.addPod({ metadata: { name: 'ztunnel-9zq4m', namespace: 'istio-system' }, spec: agentSpec('istio-proxy'), status: { containerStatuses: [crash] } });
  fake.setPodLog('istio-system', 'ztunnel-9zq4m', 'istio-proxy', ipsetLog, { previous: true });
  await until(() => watcher.findings().length === 1 && fake.events.length === 1, 30_000);
  await watcher.idle();
  t.is(watcher.findings().length, 1);
  t.like(watcher.findings()[0], { pod: 'ztunnel-9zq4m', container: 'istio-proxy', restartCount: 3, category: 'missing-kernel-module', nodeProblem: true });
  t.like(c.calls[0]!.ctx, { container: 'istio-proxy', exitCode: 1, reason: 'CrashLoopBackOff' });
  t.is(fake.requestsMatching('GET', '/api/v1/namespaces/istio-system/pods/ztunnel-9zq4m/log')[0]!.query['previous'], 'true');
  t.deepEqual(fake.requestsMatching('GET', '/api/v1/namespaces/default/pods/productpage-v1-7f9c/log'), []);
  t.like(fake.events[0], { reason: 'MeshAgentFailure', involvedObject: { name: 'ztunnel-9zq4m', fieldPath: 'spec.containers{istio-proxy}' } });
  t.regex(fake.events[0]!.message, /^istio-proxy failed \(exit 1\): the kernel ipset lacks comments/);
  await watcher.stop();
  await fake.close();
});

test('a running istio-cni node agent: error lines in its current log are a finding (one Event), a clean read ends it', async (t) => {
  const { fake, api } = await fakeWithClient({ bookmarkIntervalMs: 100 });
  const c = agentClassifier();
  const watcher = new InitContainerWatcher({ api, nodeName: 'n1', classify: c.classify, logMinIntervalMs: 0, reconnectDelayMs: 20, agentLogIntervalMs: 0 });
  t.teardown(async () => {
    await watcher.stop();
    await fake.close();
  });
  watcher.start();
  await watcher.synced;
  fake.addPod({ metadata: { name: 'istio-cni-node-x7k2p', namespace: 'istio-system' }, spec: agentSpec('install-cni'), status: { containerStatuses: [running('install-cni')] } });
  fake.addPod({ metadata: { name: 'web-1', namespace: 'shop' }, spec: agentSpec('app'), status: { containerStatuses: [running('app')] } });
  fake.setPodLog('istio-system', 'istio-cni-node-x7k2p', 'install-cni', ipsetLog);
  const poll = async () => {
    watcher.pollAgentLogs();
    await watcher.idle();
  };
  // The watch delivers the pods asynchronously: poll until the agent has been seen.
  await pollUntil(poll, () => watcher.findings().length > 0);
  t.like(watcher.findings()[0], { pod: 'istio-cni-node-x7k2p', container: 'install-cni', source: 'watch', category: 'missing-kernel-module' });
  const req = fake.requestsMatching('GET', '/api/v1/namespaces/istio-system/pods/istio-cni-node-x7k2p/log')[0]!;
  t.is(req.query['previous'], 'false', 'the running container\'s own log');
  t.deepEqual(fake.requestsMatching('GET', '/api/v1/namespaces/shop/pods/web-1/log'), [], 'only agents are read');

  await poll();
  t.is(fake.events.length, 1, 'the same failure read twice records one Event');
  t.like(fake.events[0], { reason: 'MeshAgentFailure', involvedObject: { fieldPath: 'spec.containers{install-cni}' } });
  t.regex(fake.events[0]!.message, /^install-cni logs a failure: /);

  fake.setPodLog('istio-system', 'istio-cni-node-x7k2p', 'install-cni', '2025-01-23T06:00:00Z info cni-agent pod added to the mesh\n');
  await poll();
  t.deepEqual(watcher.findings(), [], 'a clean current log ends the finding');

  fake.deletePod('istio-system', 'istio-cni-node-x7k2p');
  // Once the watch has delivered the deletion, a poll reads nothing more.
  let before = 0;
  await pollUntil(
    async () => {
      before = watcher.stats.logFetches;
      await poll();
    },
    () => watcher.stats.logFetches === before,
  );
  t.is(watcher.stats.logFetches, before, 'a deleted pod is no longer read');
});

test('the interval reads running agents by itself', async (t) => {
  const { fake, api } = await fakeWithClient({ bookmarkIntervalMs: 100 });
  const c = agentClassifier();
  fake.addPod({ metadata: { name: 'ztunnel-abcde', namespace: 'istio-system' }, spec: agentSpec('istio-proxy'), status: { containerStatuses: [running('istio-proxy')] } });
  fake.setPodLog('istio-system', 'ztunnel-abcde', 'istio-proxy', ipsetLog);
  const watcher = new InitContainerWatcher({ api, nodeName: 'n1', classify: c.classify, logMinIntervalMs: 0, reconnectDelayMs: 20, agentLogIntervalMs: 100 });
  watcher.start();
  await until(() => watcher.findings().length === 1, 30_000);
  t.is(watcher.findings()[0]!.pod, 'ztunnel-abcde');
  await watcher.stop();
  await fake.close();
});
