/**
 * Agent scale benchmark (not a test). Three measurements, all on this machine:
 *  1. RSS of the agent after an hour's worth of check intervals, accelerated (360 runs: an hour at 10 s),
 *     with the real checks of this machine and the fake API server.
 *  2. Throughput of GET /v1/report on one core (autocannon, the server in a separate process).
 *  3. API-server load of a 5,000-node cluster against the fake API server (test/support — a fake, not a
 *     kube-apiserver): 5,000 NodePublishers with a simulated clock, each checking every 10 minutes with
 *     nothing changing, for one simulated hour after their first write. Requests per node per hour.
 * Targets: ≤ 80 MiB RSS (process tree), ≥ 5,000 req/s, ≤ 1 write per node per hour, no cluster-wide pod list or watch.
 * Usage: npm run build && node --import=tsx scripts/bench-agent.ts [rss|http|cluster]...
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createKubeNodeApi, resolveKubeConfig } from '../src/kube/client.ts';
import { NodePublisher } from '../src/kube/publisher.ts';
import { FakeApiServer } from '../test/support/fake-apiserver.ts';
import type { Report } from '../src/core/report.ts';
import { CLI_PATH } from '../test/helpers/cli.ts';
import { peakRssMiB, treeRssMiB } from './proc-tree.ts';

const which = process.argv.slice(2);
const want = (name: string) => which.length === 0 || which.includes(name);

const AGENT_TARGET_MIB = 80;

/**
 * The agent as `mesh-preflight agent` starts it (the executable, so its launcher applies its V8 flags),
 * checking this machine every 100 ms instead of every 10 minutes: 360 runs are 60 hours at the default
 * interval (an hour at 10 s). RSS is the sum over its whole process tree (it spawns the iptables saves),
 * sampled every second; "growth" compares the last tenth of the samples with the tenth after warm-up.
 */
async function benchRss(runs = 360): Promise<boolean> {
  const fake = await FakeApiServer.start();
  fake.addNode({ metadata: { name: 'bench-node', labels: {} }, status: { conditions: [] } });
  const kubeconfig = await fake.writeKubeconfig(await mkdtemp(path.join(tmpdir(), 'mp-bench-')));
  const port = 30808 + Math.floor(Math.random() * 1000);
  const child = spawn(
    CLI_PATH,
    ['agent', '--listen', `127.0.0.1:${port}`, '--interval', '100ms', '--kubeconfig', kubeconfig, '--node-name', 'bench-node', '--recheck-auth', 'off'],
    { stdio: 'ignore' },
  );
  const started = performance.now();
  const samples: number[] = [];
  try {
    let done = 0;
    while (done < runs) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
      done = Number(/^mesh_preflight_check_duration_seconds_count\S* (\d+)/m.exec(metrics)?.[1] ?? 0);
      if (done > 0) samples.push((await treeRssMiB(child.pid!)).mib);
      if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode})`);
    }
    const tenth = Math.max(1, Math.floor(samples.length / 10));
    const early = median(samples.slice(tenth, 2 * tenth));
    const late = median(samples.slice(-tenth));
    const final = samples.at(-1)!;
    const max = Math.max(...samples.slice(tenth));
    const ok = final <= AGENT_TARGET_MIB && max <= AGENT_TARGET_MIB && late - early <= 5;
    console.log(
      `agent process-tree RSS after ${done} check runs (100 ms apart; 360 = 60 h at the default 10 m): ${final.toFixed(1)} MiB (target ≤ ${AGENT_TARGET_MIB}); max after warm-up ${max.toFixed(1)} MiB; own peak ${(await peakRssMiB(child.pid!)).toFixed(1)} MiB; growth ${(late - early >= 0 ? '+' : '') + (late - early).toFixed(1)} MiB (median of the last tenth ${late.toFixed(1)} vs the second tenth ${early.toFixed(1)}); ${((performance.now() - started) / done).toFixed(0)} ms per interval; node PATCHes: ${fake.requestsMatching('PATCH', /nodes\/bench-node/).length}  ${ok ? 'OK' : 'OVER TARGET'}`,
    );
    return ok;
  } finally {
    child.kill('SIGTERM');
    await fake.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function benchHttp(): Promise<void> {
  const port = 29808 + Math.floor(Math.random() * 1000);
  const child = spawn(CLI_PATH, ['agent', '--listen', `127.0.0.1:${port}`, '--interval', '1h', '--recheck-auth', 'off'], {
    stdio: 'ignore',
    env: { ...process.env, KUBECONFIG: '' },
  });
  try {
    for (let i = 0; i < 200; i += 1) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const result = await autocannon({ url: `http://127.0.0.1:${port}/v1/report`, connections: 50, duration: 10, pipelining: 1 });
    console.log(
      `GET /v1/report: ${result.requests.average.toFixed(0)} req/s average (target ≥ 5000), p99 latency ${result.latency.p99} ms, ${result.non2xx} non-2xx, ${result.errors} errors (server: one process, 50 connections, 10 s)`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

async function benchCluster(nodes = 5000): Promise<void> {
  const fake = await FakeApiServer.start();
  for (let i = 0; i < nodes; i += 1) fake.addNode({ metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` } }, status: { conditions: [] } });
  const kubeconfig = await fake.writeKubeconfig(await mkdtemp(path.join(tmpdir(), 'mp-bench-')));
  const api = createKubeNodeApi(resolveKubeConfig({ kubeconfig, env: {} })!, { timeoutMs: 60_000 });
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const publishers = Array.from({ length: nodes }, (_, i) => new NodePublisher(api, { nodeName: `node-${i}`, heartbeatMinutes: 60, catchUpIntervalMs: 0, now: () => new Date(clock) }));
  const report = (i: number, at: number): Report =>
    ({
      schemaVersion: 1,
      node: `node-${i}`,
      mesh: 'istio',
      verdict: 'ready',
      generatedAt: new Date(at).toISOString(),
      options: { mesh: 'istio', backend: 'auto', dnsCapture: false, interception: 'redirect', ipv6: false, probe: false, hostRoot: '/' },
      kernel: { release: '6.8.0' },
      os: { id: 'ubuntu' },
      checks: [{ id: 'modules', title: 'Kernel modules', status: 'pass', summary: 'ok', evidence: [], remediation: [] }],
      modules: [],
      iptables: { backend: 'nft', meshBackend: 'nft', meshBackendSource: 'auto', modes: [] },
      initContainers: [],
      fixes: [],
    }) as Report;
  const inBatches = async (fn: (i: number) => Promise<unknown>) => {
    for (let start = 0; start < nodes; start += 200) await Promise.all(Array.from({ length: Math.min(200, nodes - start) }, (_, k) => fn(start + k)));
  };
  await inBatches((i) => publishers[i]!.publish(report(i, clock))); // first write of every node
  fake.clearRequests();
  const started = performance.now();
  for (let round = 1; round <= 6; round += 1) {
    clock += 10 * 60_000; // the default --interval
    await inBatches((i) => publishers[i]!.publish(report(i, clock)));
  }
  const requests = fake.requests.length;
  const writes = fake.requests.filter((r) => r.method === 'PATCH').length;
  const podWatchWithoutNode = fake.requests.filter((r) => r.path === '/api/v1/pods' && !(r.query['fieldSelector'] ?? '').startsWith('spec.nodeName=')).length;
  console.log(
    `${nodes}-node cluster, one simulated hour at steady state: ${(requests / nodes).toFixed(2)} requests/node/hour, ${(writes / nodes).toFixed(2)} writes/node/hour (target ≤ 1), ${podWatchWithoutNode} cluster-wide pod lists/watches; simulated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log('  plus, per node and hour by configuration: 12 pod watch requests (watch timeout 300 s), scoped by fieldSelector=spec.nodeName');
  await fake.close();
}

let failed = false;
if (want('rss')) failed = !(await benchRss(Number(process.env['BENCH_RUNS'] ?? 360))) || failed;
if (want('http')) await benchHttp();
if (want('cluster')) await benchCluster();
process.exit(failed ? 1 : 0);
