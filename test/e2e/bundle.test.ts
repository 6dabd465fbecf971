/**
 * The shipped bundle itself (`npm test` builds it first): what package.json publishes, what each
 * command loads and spawns, the executable's launcher (one process, the agent's V8 flags, signals and
 * exit codes passed through), the licences, and the agent's dashboard and API served from the bundle.
 */
import test from 'ava';
import { execa } from 'execa';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { CLI_PATH, REPO_ROOT } from '../helpers/cli.ts';
import { ENTRY_POINTS, builtPath } from '../../scripts/entry-points.ts';
import { AGENT_NODE_FLAGS } from '../../src/cli/launcher.ts';
import { bundledPackages } from '../../scripts/licenses.ts';
import { ReportSchema } from '../../src/core/report.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
  dependencies?: Record<string, string>;
};
const meta = JSON.parse(readFileSync(path.join(REPO_ROOT, 'dist/meta.json'), 'utf8')) as Metafile;
const auditPreload = path.join(REPO_ROOT, 'test/helpers/audit-preload.mjs');

/** Runs the built executable with the audit preload; returns what it loaded (bundle inputs) and spawned. */
async function audited(args: string[], options: { input?: string } = {}) {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'mp-audit-')), 'audit.jsonl');
  const result = await execa(CLI_PATH, args, {
    reject: false,
    timeout: 60_000,
    input: options.input ?? '',
    env: { NODE_OPTIONS: `--import=${auditPreload}`, MESH_PREFLIGHT_AUDIT_OUT: out, NO_COLOR: '1' },
  });
  const lines = existsSync(out) ? (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { load?: string; spawn?: string[] }) : [];
  const files = lines.flatMap((l) => (l.load?.startsWith('file://') ? [path.relative(REPO_ROOT, new URL(l.load).pathname)] : []));
  const inputs = files.flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {}));
  return { result, files, inputs, spawned: lines.flatMap((l) => (l.spawn ? [l.spawn] : [])) };
}

const AGENT_ONLY = [/node_modules\/@kubernetes\/client-node\//, /node_modules\/fastify\//, /node_modules\/prom-client\//, /^src\/dashboard\//, /^src\/api\//, /^src\/kube\//];

test('package.json publishes exactly the entry points, bundled, with one runtime dependency', (t) => {
  t.deepEqual(pkg.bin, Object.fromEntries(Object.keys(ENTRY_POINTS).map((bin) => [bin, builtPath(bin)])));
  // systeminformation runs in a child process of its own (--ipv6 auto, src/host/ipv6-auto.ts), which
  // loads it from node_modules; everything else is inside the bundle.
  t.deepEqual(
    Object.keys(pkg.dependencies ?? {}),
    ['systeminformation'],
    'every runtime library is bundled: list it in devDependencies (the README says why a dependency may stay)',
  );
  for (const bin of Object.keys(ENTRY_POINTS)) {
    const file = path.join(REPO_ROOT, builtPath(bin));
    t.notThrows(() => accessSync(file, constants.X_OK), `${bin} is executable`);
    t.true(readFileSync(file, 'utf8').startsWith('#!/bin/sh\n'), `${bin} starts through the launcher`);
  }
  t.true(pkg.files.includes('dist/THIRD_PARTY_LICENSES'));
  t.false(pkg.files.some((f) => f === 'dist/' || f.includes('meta.json')), 'the metafile stays out of the package');
});

test('THIRD_PARTY_LICENSES names every bundled package, with its licence text', (t) => {
  const text = readFileSync(path.join(REPO_ROOT, 'dist/THIRD_PARTY_LICENSES'), 'utf8');
  const packages = bundledPackages(REPO_ROOT, meta);
  t.true(packages.length > 50, `${packages.length} packages`);
  for (const name of ['zod', 'execa', 'commander', 'fastify', '@kubernetes/client-node', 'prom-client']) t.true(packages.some((p) => p.name === name), name);
  for (const p of packages) t.true(text.includes(`\n${p.name}@${p.version} — ${p.license}\n`), `${p.name}@${p.version}`);
  t.regex(text, /Permission is hereby granted, free of charge/); // MIT text, e.g. fastify's
  t.regex(text, /Apache License\s+Version 2\.0/); // client-node's
});

test('check loads neither the Kubernetes client, fastify, prom-client nor the dashboard, and spawns only the iptables reads', async (t) => {
  // IPv6 given explicitly: the --ipv6 auto decision (systeminformation in a child process) is off the path.
  const { result, inputs, spawned } = await audited(['--output', 'json', '--no-ipv6']);
  t.is(result.exitCode, 0, result.stderr);
  ReportSchema.parse(JSON.parse(result.stdout));
  t.true(inputs.some((i) => i.startsWith('src/core/check-node.ts')), 'the audit sees the bundle');
  for (const pattern of AGENT_ONLY) t.deepEqual(inputs.filter((i) => pattern.test(i)), [], String(pattern));
  // One -save per backend and family (IPv4 only without --ipv6), nothing else: the host's default backend
  // is read from its `iptables` link chain, and the node's nft only matters with --cni.
  t.deepEqual(spawned.map((s) => s.join(' ')).sort(), ['iptables-legacy-save', 'iptables-nft-save']);

  const ipv6 = await audited(['--output', 'json', '--ipv6']);
  t.deepEqual(ipv6.spawned.map((s) => s.join(' ')).sort(), ['ip6tables-legacy-save', 'ip6tables-nft-save', 'iptables-legacy-save', 'iptables-nft-save']);

  // Where the node's own nft writes the rules (sidecar with --cni, native nftables), `nft --version` runs too.
  const cni = await audited(['--output', 'json', '--no-ipv6', '--cni', '--native-nftables']);
  t.deepEqual(cni.spawned.map((s) => s.join(' ')).sort(), ['/usr/sbin/nft --version', 'iptables-legacy-save', 'iptables-nft-save']);
});

test('--version and diagnose load only what they use', async (t) => {
  const version = await audited(['--version']);
  t.is(version.result.exitCode, 0);
  t.deepEqual(version.spawned, []);
  // The entry with commander and the flag schemas (zod); nothing a command runs.
  for (const pattern of [...AGENT_ONLY, /node_modules\/execa\//, /^src\/core\/check-node\.ts/, /^checks\//]) {
    t.deepEqual(version.inputs.filter((i) => pattern.test(i)), [], String(pattern));
  }

  // Found wherever the log fixtures are grouped (test/fixtures/logs/<component>/ after the tools branch).
  const logs = path.join(REPO_ROOT, 'test/fixtures/logs');
  const logFile = readdirSync(logs, { recursive: true }).map(String).find((f) => f.endsWith('cilium-lvh-40-match-recent.log'))!;
  const log = readFileSync(path.join(logs, logFile), 'utf8');
  const diagnose = await audited(['diagnose', '--output', 'json'], { input: log });
  t.is(diagnose.result.exitCode, 0, diagnose.result.stderr);
  t.deepEqual(JSON.parse(diagnose.result.stdout).modules, ['xt_recent']);
  for (const pattern of AGENT_ONLY) t.deepEqual(diagnose.inputs.filter((i) => pattern.test(i)), [], String(pattern));
  t.deepEqual(diagnose.inputs.filter((i) => /node_modules\/execa\//.test(i)), [], 'diagnose without --on-node runs nothing');
  t.deepEqual(diagnose.spawned, []);
});

test('the launcher: exit codes and stdio pass through the executable', async (t) => {
  const usage = await execa(CLI_PATH, ['--mesh', 'nope'], { reject: false });
  t.is(usage.exitCode, 2);
  t.is(usage.stderr.trim().split('\n').length, 1);
  const notReady = await execa(CLI_PATH, ['check', '--host-root', hostFixturePath('lacks-module'), '--output', 'json'], { reject: false, timeout: 60_000 });
  t.is(notReady.exitCode, 1, notReady.stderr);
  t.is(ReportSchema.parse(JSON.parse(notReady.stdout)).verdict, 'not-ready');
  const stdin = await execa(CLI_PATH, ['diagnose', '-', '--output', 'json'], { input: "iptables v1.8.7 (legacy): Couldn't load match `owner':No such file or directory\n", reject: false });
  t.deepEqual(JSON.parse(stdin.stdout).modules, ['xt_owner']);
});

async function until(condition: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the agent, started as the executable: one process in V8 lite mode, serving the API and the dashboard; SIGTERM exits 0 within 5 s', async (t) => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = execa(CLI_PATH, ['agent', '--listen', `127.0.0.1:${port}`, '--node-name', 'n1', '--recheck-auth', 'none', '--host-root', hostFixturePath('talos')], {
    reject: false,
    env: { KUBECONFIG: '' },
  });
  const base = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000);

  // The launcher exec'd Node in place: same pid, no parent shell or second Node, the agent's flags set.
  const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
  t.regex(path.basename(cmdline[0]!), /^node/);
  for (const flag of AGENT_NODE_FLAGS) t.true(cmdline.includes(flag), flag);
  t.deepEqual(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ').filter(Boolean).filter((pid) => {
    const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return name === 'node' || name === 'sh';
  }), [], 'no child Node or shell');

  const report = ReportSchema.parse(await (await fetch(`${base}/v1/report`)).json());
  t.is(report.node, 'n1');
  const page = await fetch(`${base}/`);
  t.is(page.status, 200);
  t.regex(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  t.regex(await page.text(), /n1/);
  const nodePage = await fetch(`${base}/nodes/n1`);
  t.is(nodePage.status, 200);
  t.regex(await nodePage.text(), /kernel/i);
  t.regex(await (await fetch(`${base}/metrics`)).text(), /^mesh_preflight_ready\{verdict="/m);
  t.is((await fetch(`${base}/assets/dashboard.css`)).status, 200);

  const started = Date.now();
  child.kill('SIGTERM');
  const result = await child;
  t.is(result.exitCode, 0, result.stderr);
  t.true(Date.now() - started < 5000);
  t.false(/Warning|expose_wasm/.test(result.stderr), result.stderr);
});
