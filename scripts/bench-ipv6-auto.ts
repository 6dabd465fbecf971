/**
 * Benchmark (not a test): what `--ipv6` auto costs. In fresh processes, N times each, interleaved:
 * importing systeminformation and calling networkInterfaces() (what auto does), against the floor of
 * Node's own os.networkInterfaces() measured in the same run; then the built CLI's
 * `--output json` with auto against `--no-ipv6` (the explicit flag, which never loads it); and the
 * size of node_modules/systeminformation.
 * Usage: npm run build && node --import=tsx scripts/bench-ipv6-auto.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtPath } from './entry-points.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, builtPath('mesh-preflight'));
const runs = Number(process.argv[2] ?? 7);

const SI = `
const t0 = performance.now();
const si = (await import('systeminformation')).default;
const t1 = performance.now();
await si.networkInterfaces();
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, callMs: t2 - t1 }));`;
const FLOOR = `
const os = await import('node:os');
const t0 = performance.now();
os.networkInterfaces();
console.log(JSON.stringify({ importMs: 0, callMs: performance.now() - t0 }));`;

function inProcess(code: string): { importMs: number; callMs: number } {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as { importMs: number; callMs: number };
}

function wall(args: string[]): number {
  const started = performance.now();
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function bytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name);
    return sum + (e.isDirectory() ? bytes(p) : statSync(p).size);
  }, 0);
}

const si: { importMs: number; callMs: number }[] = [];
const floor: number[] = [];
const auto: number[] = [];
const explicit: number[] = [];
for (let i = 0; i < runs; i++) {
  si.push(inProcess(SI));
  floor.push(inProcess(FLOOR).callMs);
  auto.push(wall(['--output', 'json']));
  explicit.push(wall(['--output', 'json', '--no-ipv6']));
}
const importMs = median(si.map((s) => s.importMs));
const callMs = median(si.map((s) => s.callMs));
const floorMs = median(floor);
const fmt = (n: number) => n.toFixed(1);
console.log(`runs: ${runs} (medians; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')})`);
console.log(`systeminformation import: ${fmt(importMs)} ms; networkInterfaces(): ${fmt(callMs)} ms`);
console.log(`floor, os.networkInterfaces(): ${fmt(floorMs)} ms (systeminformation's call is ${Math.round(callMs / Math.max(floorMs, 0.01))}x it)`);
console.log(`mesh-preflight --output json: auto ${fmt(median(auto))} ms, --no-ipv6 ${fmt(median(explicit))} ms (auto costs ${fmt(median(auto) - median(explicit))} ms, ${(median(auto) / median(explicit)).toFixed(2)}x)`);
console.log(`node_modules/systeminformation: ${(bytes(path.join(root, 'node_modules/systeminformation')) / 1024).toFixed(0)} KiB on disk, no dependencies`);
