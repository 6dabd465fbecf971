/**
 * The cluster view at 5,000 nodes (not a test). Builds 5,000 realistic Node objects (labels, annotations,
 * managedFields, conditions, addresses, nodeInfo, 50 images; our labels and report annotation on 90%
 * of them), serves them from the fake API server (test/support — a fake, not a kube-apiserver) in a
 * child process of its own, starts the built agent against it, and measures:
 *  - `GET /v1/nodes` end to end (cold: the agent lists the cluster) against a floor measured in the
 *    same run: a bare fetch of the same pages (same Accept, limit and gzip) by this process;
 *  - the bytes the agent read from the API server for that one view (as sent, and decompressed),
 *    against one full LIST of the same nodes (what the view used to read);
 *  - the agent's peak RSS growth over its idle level during the view (VmHWM after clear_refs);
 *  - the size of the dashboard's first page, and that every node is reachable through pages.
 * Targets (issue 15): ≤ 1.5 s, ≤ 10 MB read, ≤ 50 MiB RSS growth, ≤ 500 KB first page.
 * Usage: npm run build && node --import=tsx scripts/bench-cluster.ts [nodes]
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtPath } from './entry-points.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const mib = (kib: number) => (kib / 1024).toFixed(1);

// ---- realistic nodes ----

const IMAGES = [
  'registry.k8s.io/kube-proxy', 'registry.k8s.io/pause', 'docker.io/istio/proxyv2', 'docker.io/istio/install-cni', 'quay.io/cilium/cilium',
  'public.ecr.aws/eks-distro/kubernetes/kube-proxy', 'docker.io/library/nginx', 'ghcr.io/example/payments-api', 'quay.io/prometheus/node-exporter',
  'docker.io/grafana/promtail', 'registry.k8s.io/coredns/coredns', 'docker.io/bitnami/redis',
];
const hex = (seed: number, len: number) => {
  let s = '';
  let x = seed * 2654435761 + 1;
  while (s.length < len) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += x.toString(16).padStart(8, '0');
  }
  return s.slice(0, len);
};

function conditionsManaged(types: string[]): Record<string, unknown> {
  return Object.fromEntries(types.map((t) => [`k:{"type":"${t}"}`, { '.': {}, 'f:lastHeartbeatTime': {}, 'f:lastTransitionTime': {}, 'f:message': {}, 'f:reason': {}, 'f:status': {}, 'f:type': {} }]));
}

/** A Node like a cloud worker's: ~12 KB of JSON without managedFields, ~15 KB with them. */
export function realisticNode(i: number): Record<string, unknown> {
  const name = `ip-10-${(i >> 8) & 255}-${i & 255}-${(i * 7) % 250}.eu-west-1.compute.internal`;
  const zone = `eu-west-1${'abc'[i % 3]}`;
  const published = i % 10 !== 9;
  const verdict = i % 50 === 7 ? 'not-ready' : i % 33 === 5 ? 'degraded' : 'ready';
  const when = '2026-12-07T01:00:00Z';
  const ours: Record<string, string> = published
    ? { 'mesh-preflight.io/ready': verdict === 'not-ready' ? 'false' : 'true', 'mesh-preflight.io/iptables-backend': 'nft', 'mesh-preflight.io/mesh': 'istio' }
    : {};
  const report = published
    ? {
        'mesh-preflight.io/report': JSON.stringify({
          verdict,
          mesh: 'istio',
          backend: 'nft',
          failing: verdict === 'not-ready' ? ['modules'] : [],
          warning: verdict === 'degraded' ? ['sysctl'] : [],
          missingModules: verdict === 'not-ready' ? ['xt_owner'] : [],
          generatedAt: when,
        }),
      }
    : {};
  const conditionTypes = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'];
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: when, lastTransitionTime: '2026-11-30T08:12:44Z', reason, message });
  return {
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/instance-type': 'm6i.2xlarge', 'beta.kubernetes.io/os': 'linux',
        'eks.amazonaws.com/capacityType': 'ON_DEMAND', 'eks.amazonaws.com/nodegroup': `workers-${i % 8}`, 'eks.amazonaws.com/nodegroup-image': 'ami-0c2d3e4f5a6b7c8d9',
        'failure-domain.beta.kubernetes.io/region': 'eu-west-1', 'failure-domain.beta.kubernetes.io/zone': zone, 'k8s.io/cloud-provider-aws': hex(i, 32),
        'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm6i.2xlarge',
        'topology.ebs.csi.aws.com/zone': zone, 'topology.kubernetes.io/region': 'eu-west-1', 'topology.kubernetes.io/zone': zone, ...ours,
      },
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) % 250}`,
        'csi.volume.kubernetes.io/nodeid': `{"ebs.csi.aws.com":"i-0${hex(i + 1, 16)}"}`,
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        ...report,
      },
      managedFields: [
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: '2026-11-30T08:12:44Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:alpha.kubernetes.io/provided-node-ip': {}, 'f:volumes.kubernetes.io/controller-managed-attach-detach': {} }, 'f:labels': { '.': {}, 'f:beta.kubernetes.io/arch': {}, 'f:beta.kubernetes.io/instance-type': {}, 'f:beta.kubernetes.io/os': {}, 'f:eks.amazonaws.com/capacityType': {}, 'f:eks.amazonaws.com/nodegroup': {}, 'f:eks.amazonaws.com/nodegroup-image': {}, 'f:kubernetes.io/arch': {}, 'f:kubernetes.io/hostname': {}, 'f:kubernetes.io/os': {}, 'f:node.kubernetes.io/instance-type': {} } }, 'f:spec': { 'f:providerID': {} } } },
        { manager: 'aws-cloud-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2026-11-30T08:12:50Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:failure-domain.beta.kubernetes.io/region': {}, 'f:failure-domain.beta.kubernetes.io/zone': {}, 'f:k8s.io/cloud-provider-aws': {}, 'f:topology.kubernetes.io/region': {}, 'f:topology.kubernetes.io/zone': {} } } } },
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2026-11-30T08:12:55Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:node.alpha.kubernetes.io/ttl': {} } } } },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: when, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:allocatable': { 'f:cpu': {}, 'f:ephemeral-storage': {}, 'f:memory': {}, 'f:pods': {} }, 'f:capacity': { 'f:cpu': {}, 'f:ephemeral-storage': {}, 'f:memory': {}, 'f:pods': {} }, 'f:conditions': conditionsManaged(conditionTypes), 'f:daemonEndpoints': { 'f:kubeletEndpoint': { 'f:Port': {} } }, 'f:images': {}, 'f:nodeInfo': { 'f:bootID': {}, 'f:containerRuntimeVersion': {}, 'f:kernelVersion': {}, 'f:kubeProxyVersion': {}, 'f:kubeletVersion': {}, 'f:machineID': {}, 'f:osImage': {}, 'f:systemUUID': {} } } } },
        ...(published
          ? [
              { manager: 'mesh-preflight', operation: 'Update', apiVersion: 'v1', time: when, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:mesh-preflight.io/report': {} }, 'f:labels': { 'f:mesh-preflight.io/iptables-backend': {}, 'f:mesh-preflight.io/mesh': {}, 'f:mesh-preflight.io/ready': {} } } } },
              { manager: 'mesh-preflight', operation: 'Update', apiVersion: 'v1', time: when, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': conditionsManaged(['MeshPreflightReady']) } } },
            ]
          : []),
      ],
    },
    spec: { podCIDR: `100.${64 + ((i >> 8) & 63)}.${i & 255}.0/24`, podCIDRs: [`100.${64 + ((i >> 8) & 63)}.${i & 255}.0/24`], providerID: `aws:///${zone}/i-0${hex(i + 1, 16)}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) % 250}` },
        { type: 'InternalDNS', address: name },
        { type: 'Hostname', address: name },
      ],
      allocatable: { cpu: '7910m', 'ephemeral-storage': '95491281146', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '31482612Ki', pods: '58' },
      capacity: { cpu: '8', 'ephemeral-storage': '104779756Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '32408308Ki', pods: '58' },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ...(published ? [condition('MeshPreflightReady', verdict === 'not-ready' ? 'False' : 'True', verdict === 'not-ready' ? 'MeshInterceptionNotReady' : 'MeshInterceptionReady', 'istio traffic interception can be set up on this node, nft rules')] : []),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      images: Array.from({ length: 50 }, (_, k) => {
        const repo = `${IMAGES[k % IMAGES.length]}${k >= IMAGES.length ? `-${k}` : ''}`;
        return { names: [`${repo}@sha256:${hex(k * 977 + 13, 64)}`, `${repo}:v1.${k % 30}.${k % 7}`], sizeBytes: 10_000_000 + k * 1_234_567 };
      }),
      nodeInfo: {
        architecture: 'amd64', bootID: `${hex(i + 2, 8)}-${hex(i + 3, 4)}-${hex(i + 4, 4)}-${hex(i + 5, 4)}-${hex(i + 6, 12)}`, containerRuntimeVersion: 'containerd://1.7.22',
        kernelVersion: '6.1.112-122.189.amzn2023.x86_64', kubeProxyVersion: 'v1.31.2-eks-7f9249a', kubeletVersion: 'v1.31.2-eks-7f9249a', machineID: hex(i + 7, 32),
        operatingSystem: 'linux', osImage: 'Amazon Linux 2023.6.20241031', systemUUID: `ec2${hex(i + 8, 5)}-${hex(i + 9, 4)}-${hex(i + 10, 4)}-${hex(i + 11, 4)}-${hex(i + 12, 12)}`,
      },
    },
  };
}

// ---- the fake API server, in a process of its own ----

async function serve(nodes: number): Promise<void> {
  const { FakeApiServer } = await import('../test/support/fake-apiserver.ts');
  const fake = await FakeApiServer.start();
  for (let i = 0; i < nodes; i += 1) fake.addNode(realisticNode(i));
  const kubeconfig = await fake.writeKubeconfig(await mkdtemp(path.join(tmpdir(), 'mp-bench-cluster-')));
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'clear') {
      fake.clearRequests();
      process.send!({ type: 'cleared' });
    } else if (msg.type === 'requests') {
      process.send!({ type: 'requests', requests: fake.requests.map((r) => ({ method: r.method, path: r.path, query: r.query, accept: r.accept, status: r.status, responseBytes: r.responseBytes })) });
    }
  });
  process.send!({ type: 'ready', kubeconfig, url: fake.url, token: fake.token });
}

interface Logged {
  method: string;
  path: string;
  query: Record<string, string>;
  accept?: string;
  status?: number;
  responseBytes?: number;
}

function ask<T>(child: ChildProcess, type: string, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (msg: { type: string }) => {
      if (msg.type === reply) {
        child.off('message', on);
        resolve(msg as T);
      }
    };
    child.on('message', on);
    child.send({ type });
  });
}

async function procStatus(pid: number): Promise<{ rssKiB: number; hwmKiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rssKiB: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]), hwmKiB: Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1]) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(nodes: number): Promise<void> {
  const server = fork(self, ['--serve', String(nodes)], { execArgv: ['--import=tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const built = performance.now();
  const ready = await new Promise<{ kubeconfig: string; url: string; token: string }>((resolve) => server.on('message', (m: { type: string }) => m.type === 'ready' && resolve(m as never)));
  console.log(`fake API server: ${nodes} nodes built and served in a separate process (${((performance.now() - built) / 1000).toFixed(1)} s)`);

  // What one full LIST of these nodes weighs (the old view read this every cache period).
  const full = await fetch(`${ready.url}/api/v1/nodes`, { headers: { Authorization: `Bearer ${ready.token}` } }).then((r) => r.arrayBuffer());
  const withoutManaged = JSON.parse(Buffer.from(full).toString()).items.map((n: { metadata: Record<string, unknown> }) => {
    delete n.metadata['managedFields'];
    return JSON.stringify(n).length;
  });
  const avgNode = withoutManaged.reduce((a: number, b: number) => a + b, 0) / nodes;
  const fullLog = (await ask<{ requests: Logged[] }>(server, 'requests', 'requests')).requests.at(-1)!;
  console.log(`one full LIST: ${mb(full.byteLength)} MB (${(full.byteLength / nodes / 1024).toFixed(1)} KiB/node with managedFields, ${(avgNode / 1024).toFixed(1)} KiB without); sent ${mb(fullLog.responseBytes ?? 0)} MB`);

  // Floor: a bare fetch of the same metadata pages, by this process, nothing done with them.
  const floorRuns: number[] = [];
  let decodedBytes = 0;
  for (let run = 0; run < 3; run += 1) {
    decodedBytes = 0;
    const started = performance.now();
    let token = '';
    do {
      const url = `${ready.url}/api/v1/nodes?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const text = await fetch(url, {
        headers: { Authorization: `Bearer ${ready.token}`, Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json', 'Accept-Encoding': 'gzip' },
      }).then((r) => r.text());
      decodedBytes += Buffer.byteLength(text);
      const page = JSON.parse(text) as { metadata: { continue?: string } };
      token = page.metadata.continue ?? '';
    } while (token);
    floorRuns.push(performance.now() - started);
  }
  const floorMs = Math.min(...floorRuns);

  const port = 31808 + Math.floor(Math.random() * 1000);
  // The executable itself, as the DaemonSet runs it: its launcher starts the agent with its V8 flags.
  const agent = spawn(
    path.join(root, builtPath('mesh-preflight')),
    ['agent', '--listen', `127.0.0.1:${port}`, '--interval', '1h', '--kubeconfig', ready.kubeconfig, '--node-name', 'ip-10-0-0-0.eu-west-1.compute.internal', '--recheck-auth', 'off'],
    { stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 300; i += 1) {
      if (await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false)) break;
      await sleep(100);
    }
    await sleep(3000); // the first check's publish settles
    const idle = await procStatus(agent.pid!);
    // Reset the peak RSS to now (proc(5): clear_refs "5"), so VmHWM is the peak of the view alone.
    await writeFile(`/proc/${agent.pid}/clear_refs`, '5');
    await ask(server, 'clear', 'cleared');

    const started = performance.now();
    const res = await fetch(`${base}/v1/nodes`);
    const body = (await res.json()) as { nodes: Array<{ name: string }>; total: number };
    const coldMs = performance.now() - started;
    const afterView = await procStatus(agent.pid!);
    const requests = (await ask<{ requests: Logged[] }>(server, 'requests', 'requests')).requests.filter((r) => r.path === '/api/v1/nodes');
    const wire = requests.reduce((a, r) => a + (r.responseBytes ?? 0), 0);

    const warmStarted = performance.now();
    await fetch(`${base}/v1/nodes?ready=false`).then((r) => r.json());
    const warmMs = performance.now() - warmStarted;

    const first = await fetch(`${base}/`).then((r) => r.text());
    const pages = Number(/page 1 of (\d+)/.exec(first)?.[1] ?? 1);
    const seen = new Set<string>();
    for (let p = 1; p <= pages; p += 1) {
      const html = await fetch(`${base}/?page=${p}&refresh=off`).then((r) => r.text());
      for (const m of html.matchAll(/<tr data-node="([^"]+)"/g)) seen.add(m[1]!);
    }
    const apiSeen = new Set<string>();
    let token: string | undefined;
    do {
      const page = (await fetch(`${base}/v1/nodes?limit=500${token ? `&continue=${token}` : ''}`).then((r) => r.json())) as { nodes: Array<{ name: string }>; continue?: string };
      for (const n of page.nodes) apiSeen.add(n.name);
      token = page.continue;
    } while (token);
    const searched = (await fetch(`${base}/v1/nodes?q=ip-10-19-&ready=true`).then((r) => r.json())) as { total: number };
    const firstStatuses = [...first.matchAll(/<tr data-node="[^"]+" data-status="([^"]+)">/g)].map((m) => m[1]);
    const notReadyFirst = `${firstStatuses.filter((s) => s === 'not-ready').length} not ready, then ${firstStatuses.filter((s) => s === 'degraded').length} degraded among the first ${firstStatuses.length} rows (first row: ${firstStatuses[0]})`;

    console.log('');
    console.log(`GET /v1/nodes, cold (the agent lists the cluster): ${(coldMs / 1000).toFixed(2)} s for ${body.total} nodes (target ≤ 1.5 s); floor (bare fetch of the same ${requests.length} pages): ${(floorMs / 1000).toFixed(2)} s; ratio ${(coldMs / floorMs).toFixed(2)}`);
    console.log(`GET /v1/nodes?ready=false, cached: ${warmMs.toFixed(0)} ms`);
    console.log(`read from the API server for one view: ${requests.length} requests (${requests.map((r) => `limit=${r.query['limit']}`).join(' ')}; Accept ${requests[0]?.accept?.split(',')[0]}), ${mb(wire)} MB sent (gzip; ${mb(decodedBytes)} MB of JSON decompressed) vs one full LIST ${mb(full.byteLength)} MB uncompressed, ${mb(fullLog.responseBytes ?? 0)} MB gzip: ${((wire / (fullLog.responseBytes ?? 1)) * 100).toFixed(1)}% of it on the wire (target ≤ 10 MB)`);
    console.log(`agent RSS: idle ${mib(idle.rssKiB)} MiB, peak during the view ${mib(afterView.hwmKiB)} MiB: growth ${mib(afterView.hwmKiB - idle.rssKiB)} MiB (target ≤ 50 MiB); after ${mib(afterView.rssKiB)} MiB`);
    console.log(`dashboard first page: ${(Buffer.byteLength(first) / 1000).toFixed(1)} KB (target ≤ 500 KB), ${pages} pages; worst first: ${notReadyFirst}; every node reachable: dashboard pages ${seen.size}/${nodes}, /v1/nodes pages ${apiSeen.size}/${nodes}; ?q=ip-10-19-&ready=true → ${searched.total}`);
  } finally {
    agent.kill('SIGTERM');
    server.kill('SIGTERM');
  }
}

if (process.argv[1] === self) {
  if (process.argv[2] === '--serve') await serve(Number(process.argv[3] ?? 5000));
  else {
    await main(Number(process.argv[2] ?? 5000));
    process.exit(0);
  }
}
