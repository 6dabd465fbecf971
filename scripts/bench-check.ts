/**
 * Benchmark (not a test): median wall time and peak RSS of `mesh-preflight --output json` over N runs,
 * with and without --probe, on this machine. Targets: ≤ 0.5 s and ≤ 80 MiB without the probe,
 * ≤ 1.5 s with it. Usage: npm run build && node --import=tsx scripts/bench-check.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/src/cli/main.js');
const probe = path.join(root, 'scripts/rss-probe.mjs');
const runs = Number(process.argv[2] ?? 10);

interface Sample {
  ms: number;
  rssMiB: number;
  exitCode: number | null;
}

function runOnce(args: string[]): Sample {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-bench-'));
  const rssFile = path.join(dir, 'rss');
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', probe, cli, ...args], {
    env: { ...process.env, MESH_PREFLIGHT_RSS_OUT: rssFile },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const ms = performance.now() - started;
  const rssKiB = Number(readFileSync(rssFile, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  return { ms, rssMiB: rssKiB / 1024, exitCode: child.status };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function bench(label: string, args: string[], targetMs: number, targetMiB?: number): boolean {
  runOnce(args); // warm the file cache
  const samples = Array.from({ length: runs }, () => runOnce(args));
  const ms = median(samples.map((s) => s.ms));
  const rss = Math.max(...samples.map((s) => s.rssMiB));
  const ok = ms <= targetMs && (targetMiB === undefined || rss <= targetMiB);
  console.log(
    `${label.padEnd(26)} median ${ms.toFixed(0).padStart(5)} ms (target ≤ ${targetMs})  peak RSS ${rss.toFixed(1)} MiB${targetMiB ? ` (target ≤ ${targetMiB})` : ''}  exit ${samples[0]!.exitCode}  ${ok ? 'OK' : 'OVER TARGET'}`,
  );
  return ok;
}

console.log(`mesh-preflight benchmark: ${runs} runs each, node ${process.version}, ${os.cpus().length} cores`);
const results = [
  bench('check --output json', ['check', '--output', 'json'], 500, 80),
  bench('check --output json --probe', ['check', '--output', 'json', '--probe'], 1500),
];
process.exitCode = results.every(Boolean) ? 0 : 1;
