/**
 * End-to-end: the built `kubectl-mesh_preflight` bin (dist/) against the fake API server's demo
 * cluster, as kubectl runs a plugin: its own process, the user's kubeconfig.
 */
import test from 'ava';
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startDemoCluster } from '../support/demo-cluster.ts';
import type { FakeApiServer } from '../support/fake-apiserver.ts';
import { METADATA_LIST_ACCEPT } from '../../src/kube/lean-read.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { builtPath } from '../../scripts/entry-points.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(REPO_ROOT, builtPath('kubectl-mesh_preflight'));

function plugin(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [bin, ...args], { reject: false, timeout: 60_000, env: { NO_COLOR: '1', KUBECONFIG: '', ...env } });
}

/** The requests a read-only operator's RBAC allows: get/list/watch nodes, get pods and pods/log. */
function assertReadOnly(t: import('ava').ExecutionContext, fake: FakeApiServer) {
  for (const r of fake.requests) {
    t.is(r.method, 'GET', r.path);
    t.regex(r.path, /^\/api\/v1\/(nodes(\/[^/]+)?|namespaces\/[^/]+\/pods\/[^/]+(\/log)?)$/);
  }
}

test.serial('nodes: the dashboard rows, never-checked nodes included, read metadata-only in --chunk-size pages', async (t) => {
  const { fake, kubeconfig } = await startDemoCluster();
  t.teardown(() => fake.close());
  const result = await plugin(['nodes', '--kubeconfig', kubeconfig, '--chunk-size', '2']);
  t.is(result.exitCode, 0, result.stderr);
  const lines = result.stdout.split('\n');
  t.regex(lines[0]!, /^NAME\s+READINESS\s+BACKEND\s+MESH\s+FAILING\s+LAST-CHECK$/);
  t.regex(result.stdout, /^control-plane-1\s+NeverChecked\s+<unknown>\s+<unknown>\s+<none>\s+<never>$/m);
  t.regex(result.stdout, /^worker-1\s+Ready\s+nft\s+istio\s+<none>\s+12m$/m);
  t.regex(result.stdout, /^worker-2\s+NotReady\s+legacy\s+istio\s+modules\s+12m$/m);
  t.regex(result.stdout, /^worker-3\s+Degraded\s+nft\s+istio\s+<none>\s+12m$/m);
  t.regex(result.stdout, /5 nodes: 1 ready, 1 degraded, 1 not ready, 2 never checked/);
  const lists = fake.requestsMatching('GET', '/api/v1/nodes');
  t.is(lists.length, 3, 'five nodes in pages of two');
  for (const r of lists) {
    t.is(r.accept, METADATA_LIST_ACCEPT);
    t.is(r.query['limit'], '2');
    t.is(r.query['resourceVersion'], undefined);
  }
  assertReadOnly(t, fake);
});

test.serial('nodes -o json, -o wide and -l selector', async (t) => {
  const { fake, kubeconfig } = await startDemoCluster();
  t.teardown(() => fake.close());
  const json = await plugin(['nodes', '--kubeconfig', kubeconfig, '-o', 'json']);
  t.is(json.exitCode, 0, json.stderr);
  const { nodes } = JSON.parse(json.stdout) as { nodes: Array<Record<string, unknown>> };
  t.deepEqual(nodes.find((n) => n['name'] === 'worker-2'), {
    name: 'worker-2', readiness: 'not-ready', backend: 'legacy', mesh: 'istio', failing: ['modules'], warning: [], missingModules: ['iptable_nat'], checkedAt: nodes.find((n) => n['name'] === 'worker-2')!['checkedAt'],
  });
  t.deepEqual(nodes.filter((n) => n['readiness'] === 'unchecked').map((n) => n['name']), ['control-plane-1', 'worker-4']);
  const wide = await plugin(['nodes', '--kubeconfig', kubeconfig, '-o', 'wide']);
  t.regex(wide.stdout, /^worker-3\s+Degraded\s+nft\s+istio\s+<none>\s+12m\s+sysctl\s+<none>$/m);
  const selected = await plugin(['nodes', '--kubeconfig', kubeconfig, '-l', 'node-role.kubernetes.io/control-plane']);
  t.is(selected.exitCode, 0, selected.stderr);
  t.deepEqual(selected.stdout.split('\n').filter((l) => /^\S+\s+(Ready|NotReady|Degraded|NeverChecked)/.test(l)).map((l) => l.split(/\s+/)[0]), ['control-plane-1']);
  t.is(fake.requestsMatching('GET', '/api/v1/nodes').at(-1)!.query['labelSelector'], 'node-role.kubernetes.io/control-plane');
});

test.serial('nodes --watch prints a row again when what it shows changes, lists again after a 410, and stops on SIGINT', async (t) => {
  const { fake, kubeconfig } = await startDemoCluster();
  t.teardown(() => fake.close());
  const child = execa(process.execPath, [bin, 'nodes', '--kubeconfig', kubeconfig, '--watch'], { reject: false, env: { NO_COLOR: '1', KUBECONFIG: '' } });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const until = async (re: RegExp) => {
    for (let i = 0; i < 600 && !re.test(out); i += 1) await new Promise((r) => setTimeout(r, 50));
    return re.test(out);
  };
  t.true(await until(/worker-4\s+NeverChecked/), out);
  for (let i = 0; i < 400 && fake.openWatches === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
  fake.updateNode('worker-4', (n) => {
    n.metadata.labels['mesh-preflight.io/ready'] = 'false';
    n.metadata.annotations = { 'mesh-preflight.io/report': JSON.stringify({ verdict: 'not-ready', failing: ['kernel'], warning: [], missingModules: [], generatedAt: new Date().toISOString() }) };
  });
  fake.updateNode('worker-1', (n) => {
    n.metadata.labels['team'] = 'payments'; // not something the row shows: no line
  });
  t.true(await until(/worker-4\s+NotReady\s+<unknown>\s+<unknown>\s+kernel/), out);
  // The watch breaks and the change it missed is compacted away: the re-watch gets 410, the plugin lists again.
  const watchesBefore = fake.requests.filter((r) => r.query['watch'] === '1').length;
  fake.dropWatches();
  fake.updateNode('worker-3', (n) => {
    n.metadata.labels['mesh-preflight.io/iptables-backend'] = 'legacy';
  });
  fake.compactHistory();
  t.true(await until(/worker-3\s+Degraded\s+legacy/), out);
  t.true(fake.requests.filter((r) => r.query['watch'] === '1').length > watchesBefore);
  child.kill('SIGINT');
  const result = await child;
  t.is(result.exitCode, 0);
  t.is(out.split('\n').filter((l) => l.startsWith('worker-1')).length, 1);
  const watch = fake.requestsMatching('GET', '/api/v1/nodes', { watch: false }).find((r) => r.query['watch'] === '1');
  t.truthy(watch);
  t.regex(watch!.accept ?? '', /as=PartialObjectMetadata;/);
});

test.serial('node NAME: the published report rendered like check; json; not found is 1, a bad name is 2', async (t) => {
  const { fake, kubeconfig } = await startDemoCluster();
  t.teardown(() => fake.close());
  const table = await plugin(['node', 'worker-2', '--kubeconfig', kubeconfig]);
  t.is(table.exitCode, 0, table.stderr);
  t.regex(table.stdout, /^mesh-preflight · node worker-2 · istio · node rules: legacy/);
  t.regex(table.stdout, /condition MeshPreflightReady=False MeshInterceptionNotReady, heartbeat/);
  t.regex(table.stdout, /^FAIL\s+modules$/m);
  t.regex(table.stdout, /Missing kernel modules: iptable_nat/);
  t.regex(table.stdout, /Verdict: NOT READY — istio cannot set up interception on worker-2/);
  t.regex(table.stdout, /full report, served by the agent on the node/);
  const degraded = await plugin(['node', 'worker-3', '--kubeconfig', kubeconfig]);
  t.regex(degraded.stdout, /^WARN\s+sysctl$/m);
  const never = await plugin(['node', 'worker-4', '--kubeconfig', kubeconfig]);
  t.regex(never.stdout, /No report published on worker-4/);
  const json = await plugin(['node', 'worker-1', '--kubeconfig', kubeconfig, '-o', 'json']);
  t.like(JSON.parse(json.stdout), { name: 'worker-1', readiness: 'ready', labels: { ready: 'true', backend: 'nft', mesh: 'istio' }, condition: { status: 'True' }, summary: { verdict: 'ready' } });
  const missing = await plugin(['node', 'worker-9', '--kubeconfig', kubeconfig]);
  t.is(missing.exitCode, 1);
  t.is(missing.stderr, 'kubectl-mesh_preflight: node worker-9 not found');
  const bad = await plugin(['node', 'Worker_1', '--kubeconfig', kubeconfig]);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /^kubectl-mesh_preflight: invalid node name "Worker_1"/);
  t.is(bad.stderr.split('\n').length, 1);
  assertReadOnly(t, fake);
});

test.serial('diagnose POD: the failed istio-init, its previous log and exit code, joined with its node', async (t) => {
  const { fake, kubeconfig } = await startDemoCluster();
  t.teardown(() => fake.close());
  const result = await plugin(['diagnose', 'web-7f9c-x2x', '-n', 'shop', '--kubeconfig', kubeconfig]);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^pod shop\/web-7f9c-x2x, container istio-init on node worker-2: exit code 2 \(CrashLoopBackOff\), 4 restarts; log: previous run/);
  t.regex(result.stdout, /^missing-iptables-table \(node problem\)/m);
  t.regex(result.stdout, /iptable_nat is missing from worker-2's kernel \(its published report\)/);
  const log = fake.requestsMatching('GET', '/api/v1/namespaces/shop/pods/web-7f9c-x2x/log');
  t.is(log.length, 1);
  t.like(log[0]!.query, { container: 'istio-init', previous: 'true', tailLines: '2000' });
  const json = await plugin(['diagnose', 'web-7f9c-x2x', '-n', 'shop', '-o', 'json', '--kubeconfig', kubeconfig]);
  const out = JSON.parse(json.stdout);
  t.like(out, { pod: { namespace: 'shop', node: 'worker-2' }, container: { container: 'istio-init', exitCode: 2, previous: true }, category: 'missing-iptables-table', node: { explainedHere: true } });
  const wrong = await plugin(['diagnose', 'web-7f9c-x2x', '-n', 'shop', '-c', 'nope', '--kubeconfig', kubeconfig]);
  t.is(wrong.exitCode, 2);
  t.regex(wrong.stderr, /-c nope: pod shop\/web-7f9c-x2x has no such container; it has: istio-init, web, istio-proxy/);
  const absent = await plugin(['diagnose', 'web-0', '--kubeconfig', kubeconfig]);
  t.is(absent.exitCode, 1);
  t.is(absent.stderr, 'kubectl-mesh_preflight: pod default/web-0 not found', 'the context namespace (default) by default');
  assertReadOnly(t, fake);
});

test.serial('the kubeconfig as kubectl finds it: KUBECONFIG, --context; bad input is one line, exit 2; an unreachable server exit 1', async (t) => {
  const { fake, kubeconfig } = await startDemoCluster();
  t.teardown(() => fake.close());
  const viaEnv = await plugin(['nodes'], { KUBECONFIG: kubeconfig });
  t.is(viaEnv.exitCode, 0, viaEnv.stderr);
  const ctx = await plugin(['nodes', '--kubeconfig', kubeconfig, '--context', 'fake']);
  t.is(ctx.exitCode, 0, ctx.stderr);
  for (const [args, message] of [
    [['nodes', '--kubeconfig', kubeconfig, '--context', 'prod'], /--context prod: no such context .* it has: fake$/],
    [['nodes', '--kubeconfig', kubeconfig, '--chunk-size', 'lots'], /invalid --chunk-size lots/],
    [['nodes', '--kubeconfig', '/nonexistent/kubeconfig'], /--kubeconfig \/nonexistent\/kubeconfig: no such file/],
    [['nodes', '--kubeconfig', kubeconfig, '-o', 'yaml'], /argument 'yaml' is invalid/],
  ] as const) {
    const r = await plugin([...args]);
    t.is(r.exitCode, 2, args.join(' '));
    t.regex(r.stderr.trim(), message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const down = path.join(path.dirname(kubeconfig), 'down.yaml');
  await writeFile(down, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'x',
    clusters: [{ name: 'x', cluster: { server: 'http://127.0.0.1:9', 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'x', user: { token: 't' } }], contexts: [{ name: 'x', context: { cluster: 'x', user: 'x' } }],
  }));
  const unreachable = await plugin(['nodes', '--kubeconfig', down]);
  t.is(unreachable.exitCode, 1);
  t.regex(unreachable.stderr, /^kubectl-mesh_preflight: GET \/api\/v1\/nodes: connect ECONNREFUSED/);
  fake.fail({ path: '/api/v1/nodes', status: 403, reason: 'Forbidden', message: 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope' });
  const forbidden = await plugin(['nodes', '--kubeconfig', kubeconfig]);
  t.is(forbidden.exitCode, 1);
  t.is(forbidden.stderr, 'kubectl-mesh_preflight: list /api/v1/nodes: 403 nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
});
