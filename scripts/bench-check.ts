/**
 * Benchmark (not a test): the one-shot check against its floor, measured in the same run.
 *
 *   floor:  `node -e <spawn the four ip{,6}tables-{legacy,nft}-save, concurrently, as the check's exec
 *           does, and wait>` — starting Node plus reading the node's rules, the least a check can do;
 *   check:  `mesh-preflight --output json`, started as a user starts it (the executable, so through its
 *           launcher), on this machine.
 *
 * Pairs are interleaved (floor, check, then check, floor, …) so that load from elsewhere hits both
 * alike; the figure is the median of the per-pair ratios check/floor, over ≥ 7 pairs (default 11).
 * Timed runs carry nothing extra; peak RSS is read in separate runs (scripts/rss-probe.mjs through
 * NODE_OPTIONS, which itself costs start-up time and would narrow the ratio).
 * Also printed: the bare `node -e 0` (time and peak RSS), `--version`, and the check's peak RSS.
 * Target: ratio ≤ 2. Exit 1 when over. Usage: npm run bench:check [-- pairs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH } from '../test/helpers/cli.ts';
import { FLOOR_SCRIPT, SAVES, median } from './bench-floor.ts';

const RATIO_TARGET = 2;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rssProbe = path.join(root, 'scripts/rss-probe.mjs');
const pairs = Math.max(7, Number(process.argv[2] ?? 11));


interface Sample {
  ms: number;
  rssMiB: number;
  exitCode: number | null;
}

/** Runs a command and times it; nothing is added to it. */
function runOnce(file: string, args: string[]): Sample {
  const started = performance.now();
  const child = spawnSync(file, args, { encoding: 'utf8', timeout: 60_000 });
  return { ms: performance.now() - started, rssMiB: NaN, exitCode: child.status };
}

/** Peak RSS of the command's Node process, written by scripts/rss-probe.mjs (NODE_OPTIONS); not timed. */
function peakRss(file: string, args: string[]): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-bench-'));
  const rssFile = path.join(dir, 'rss');
  spawnSync(file, args, { env: { ...process.env, NODE_OPTIONS: `--import=${rssProbe}`, MESH_PREFLIGHT_RSS_OUT: rssFile }, encoding: 'utf8', timeout: 60_000 });
  let rssKiB = NaN;
  try {
    rssKiB = Number(readFileSync(rssFile, 'utf8'));
  } catch {
    // the process died before exit: reported as NaN
  }
  rmSync(dir, { recursive: true, force: true });
  return rssKiB / 1024;
}

const FLOOR: [string, string[]] = [process.execPath, ['-e', FLOOR_SCRIPT]];
// The floor reads both families, so the check it is paired with is the IPv6 check, given explicitly.
const CHECK: [string, string[]] = [CLI_PATH, ['--output', 'json', '--ipv6']];
// The default: --ipv6 auto asks systeminformation (in a child process) for the node's interfaces first.
const AUTO: [string, string[]] = [CLI_PATH, ['--output', 'json']];
const BARE: [string, string[]] = [process.execPath, ['-e', '0']];
const VERSION: [string, string[]] = [CLI_PATH, ['--version']];
const floor = () => runOnce(...FLOOR);
const check = () => runOnce(...CHECK);
const auto = () => runOnce(...AUTO);
const bare = () => runOnce(...BARE);
const version = () => runOnce(...VERSION);

const missing = SAVES.filter((f) => spawnSync(f, [], { stdio: 'ignore' }).error);
if (missing.length > 0) console.log(`note: not installed here, so not in the floor either: ${missing.join(', ')}`);
console.log(`mesh-preflight check benchmark: ${pairs} interleaved pairs, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);

// Warm the file cache and the binaries.
floor();
check();
bare();
version();

const floors: Sample[] = [];
const checks: Sample[] = [];
const bares: Sample[] = [];
const versions: Sample[] = [];
const autos: Sample[] = [];
for (let i = 0; i < pairs; i += 1) {
  const order = i % 2 === 0 ? [floor, check] : [check, floor];
  for (const run of order) (run === floor ? floors : checks).push(run());
  bares.push(bare());
  versions.push(version());
  autos.push(auto());
}
const ratios = checks.map((c, i) => c.ms / floors[i]!.ms);
const ratio = median(ratios);
const ms = (s: Sample[]) => median(s.map((x) => x.ms)).toFixed(0).padStart(4);
const rssOf = (command: [string, string[]]) => Math.max(...[0, 1, 2].map(() => peakRss(...command))).toFixed(1);
const rssFigures = { bare: rssOf(BARE), floor: rssOf(FLOOR), check: rssOf(CHECK), auto: rssOf(AUTO) };

console.log(`bare node -e 0                          median ${ms(bares)} ms   peak RSS ${rssFigures.bare} MiB`);
console.log(`floor: node + the four iptables saves   median ${ms(floors)} ms   peak RSS ${rssFigures.floor} MiB`);
console.log(`mesh-preflight --output json --ipv6     median ${ms(checks)} ms   peak RSS ${rssFigures.check} MiB   exit ${checks[0]!.exitCode}`);
console.log(`mesh-preflight --output json (ipv6 auto) median ${ms(autos)} ms   peak RSS ${rssFigures.auto} MiB   (${(median(autos.map((a) => a.ms)) / median(floors.map((f) => f.ms))).toFixed(2)}× the floor: systeminformation's interface scan)`);
console.log(`mesh-preflight --version                median ${ms(versions)} ms   (${(median(versions.map((v) => v.ms)) / median(bares.map((b) => b.ms))).toFixed(2)}× node -e 0)`);
console.log(
  `check / floor: median of ${pairs} paired ratios ${ratio.toFixed(2)} (target ≤ ${RATIO_TARGET}; pairs ${ratios.map((r) => r.toFixed(2)).join(' ')})  ${ratio <= RATIO_TARGET ? 'OK' : 'OVER TARGET'}`,
);
process.exitCode = ratio <= RATIO_TARGET ? 0 : 1;
