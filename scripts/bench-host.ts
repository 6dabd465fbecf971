/**
 * Benchmark (not a test), as ratios against floors measured in the same run:
 *  1. linearity of every host-file parser: time for 1,000,000 lines / time for 100,000 lines (linear ≈ 10;
 *     quadratic would be ≈ 100);
 *  2. the cost of reading through HostRoot (resolve each component, O_NOFOLLOW open, fstat, /proc/self/fd
 *     check, capped read) over a plain fs.readFile of the same file, for a 6-component path.
 * Usage: node --import=tsx scripts/bench-host.ts
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostRoot } from '../src/host/root.ts';
import { parseCriLog } from '../src/host/parse/cri-log.ts';
import { parseIptablesSave } from '../src/host/parse/iptables-save.ts';
import { parseKconfig } from '../src/host/parse/kconfig.ts';
import { parseModulesAlias, parseModulesBuiltin, parseModulesDep } from '../src/host/parse/modules-files.ts';
import { parseOsRelease } from '../src/host/parse/os-release.ts';
import { loadedModuleNames } from '../src/host/parse/proc-modules.ts';

function best(runs: number, fn: () => unknown): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    min = Math.min(min, performance.now() - started);
  }
  return min;
}

async function bestAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    min = Math.min(min, performance.now() - started);
  }
  return min;
}

const parsers: [string, string, (text: string) => unknown][] = [
  ['/proc/modules', 'xt_owner 16384 1 - Live 0x0000000000000000', loadedModuleNames],
  ['kconfig', 'CONFIG_NETFILTER_XT_MATCH_OWNER=m', parseKconfig],
  ['modules.dep', 'kernel/net/netfilter/xt_owner.ko.zst: kernel/net/netfilter/x_tables.ko.zst', parseModulesDep],
  ['modules.builtin', 'kernel/net/netfilter/xt_owner.ko', parseModulesBuiltin],
  ['modules.alias', 'alias ipt_REDIRECT xt_REDIRECT', parseModulesAlias],
  ['os-release', 'PRETTY_NAME="Ubuntu 22.04.3 LTS"', parseOsRelease],
  ['CRI log', '2024-05-01T12:00:00.000000000Z stderr F iptables-restore: unable to initialize table', (t) => parseCriLog(t)],
  ['iptables-save', '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN', parseIptablesSave],
];

console.log('parser            100k lines   1M lines   ratio (linear ≈ 10)');
for (const [name, line, parse] of parsers) {
  const small = `${line}\n`.repeat(100_000);
  const large = `${line}\n`.repeat(1_000_000);
  const a = best(3, () => parse(small));
  const b = best(3, () => parse(large));
  console.log(`${name.padEnd(17)} ${a.toFixed(1).padStart(8)} ms ${b.toFixed(1).padStart(8)} ms   ${(b / a).toFixed(1)}`);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-bench-host-'));
try {
  const relative = 'usr/lib/modules/6.1.0/kernel/net/modules.builtin';
  mkdirSync(path.join(dir, path.dirname(relative)), { recursive: true });
  writeFileSync(path.join(dir, relative), 'kernel/net/netfilter/xt_owner.ko\n'.repeat(200));
  const host = new HostRoot(dir);
  const plain = await bestAsync(200, async () => readFileSync(path.join(dir, relative), 'utf8'));
  const viaRoot = await bestAsync(200, () => host.readText(`/${relative}`));
  console.log(`\nread a 6.6 KB file 6 components deep: fs.readFileSync ${(plain * 1000).toFixed(0)} µs, HostRoot.readText ${(viaRoot * 1000).toFixed(0)} µs, ratio ${(viaRoot / plain).toFixed(1)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
