/**
 * Benchmark (not a test): what the check's libraries cost on their own, against the same floor as
 * bench-check.ts, so the check's time splits into "libraries" and "our own work".
 *
 *   floor:    `node -e` running the four `ip{,6}tables-{legacy,nft}-save` concurrently (bench-check's floor);
 *   libs:     a program bundled exactly as the shipped one (esbuild, ESM, minified, node20) that does only
 *             what every check must: commander parses the flags, a zod schema validates them, execa runs
 *             the four saves, the result is printed as JSON;
 *   libs, no execa: the same with node:child_process.execFile instead of execa;
 *   check:    `mesh-preflight --output json --ipv6`.
 *
 * Runs are interleaved; each figure is the median of the per-round ratios to the floor (≥ 7 rounds,
 * default 11). Usage: npm run bench:libs [-- rounds]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CLI_PATH } from '../test/helpers/cli.ts';
import { FLOOR_SCRIPT, SAVES, median } from './bench-floor.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Math.max(7, Number(process.argv[2] ?? 11));

/** The least program that parses flags as the CLI does and reads the four saves; `run` is the exec part. */
function program(imports: string, run: string): string {
  return `import { Command } from 'commander';
import * as z from ${JSON.stringify(path.join(root, 'node_modules/zod/v4/classic/external.js'))};
${imports}
const Flags = z.object({ mesh: z.enum(['istio', 'linkerd', 'kuma', 'consul']).default('istio'), ipv6: z.boolean().default(false), output: z.enum(['json', 'table']).default('json'), hostRoot: z.string().default('/') });
await new Command('libs').option('--mesh <m>').option('--ipv6').option('--output <o>').option('--host-root <p>').action(async (raw) => {
  const flags = Flags.parse(raw);
  const files = ${JSON.stringify(SAVES)}.slice(0, flags.ipv6 ? 4 : 2);
  const saves = await Promise.all(files.map((f) => ${run}));
  process.stdout.write(JSON.stringify({ flags, saves }, null, 2) + '\\n');
}).parseAsync(process.argv);
`;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-bench-libs-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const sources = {
  'libs.ts': program(
    "import { execa } from 'execa';",
    "execa(f, [], { reject: false, timeout: 10_000, encoding: 'utf8', maxBuffer: 16 << 20, stripFinalNewline: false, stdin: 'ignore' }).then((r) => ({ file: f, ok: !r.failed, bytes: String(r.stdout).length }))",
  ),
  'libs-no-execa.ts': program(
    "import { execFile } from 'node:child_process';",
    "new Promise((resolve) => execFile(f, [], { timeout: 10_000, maxBuffer: 16 << 20 }, (error, stdout) => resolve({ file: f, ok: !error, bytes: String(stdout).length })))",
  ),
};
for (const [name, text] of Object.entries(sources)) writeFileSync(path.join(dir, name), text);
await build({
  absWorkingDir: root,
  entryPoints: Object.keys(sources).map((name) => path.join(dir, name)),
  outdir: dir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  nodePaths: [path.join(root, 'node_modules')],
  logLevel: 'warning',
  banner: { js: "import{createRequire as __mpRequire}from'node:module';const require=__mpRequire(import.meta.url);" },
});

const commands: Record<string, [string, string[]]> = {
  floor: [process.execPath, ['-e', FLOOR_SCRIPT]],
  libs: [process.execPath, [path.join(dir, 'libs.js'), '--ipv6']],
  'libs, no execa': [process.execPath, [path.join(dir, 'libs-no-execa.js'), '--ipv6']],
  check: [CLI_PATH, ['--output', 'json', '--ipv6']],
};
const time = ([file, args]: [string, string[]]) => {
  const started = performance.now();
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0 && file !== CLI_PATH) throw new Error(`${file} ${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  return performance.now() - started;
};

for (const command of Object.values(commands)) time(command); // warm the file cache
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const ratios: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < rounds; i += 1) {
  const names = Object.keys(commands);
  const order = i % 2 === 0 ? names : [...names].reverse();
  const round: Record<string, number> = {};
  for (const name of order) round[name] = time(commands[name]!);
  for (const name of names) {
    samples[name]!.push(round[name]!);
    ratios[name]!.push(round[name]! / round['floor']!);
  }
}
console.log(`library floor: ${rounds} interleaved rounds, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);
for (const name of Object.keys(commands)) {
  console.log(`${name.padEnd(16)} median ${median(samples[name]!).toFixed(0).padStart(4)} ms   ${median(ratios[name]!).toFixed(2)}× the floor`);
}
const own = median(samples['check']!) - median(samples['libs']!);
console.log(`the check's own work beyond its libraries: ${own.toFixed(0)} ms; execa's share of the libraries: ${(median(samples['libs']!) - median(samples['libs, no execa']!)).toFixed(0)} ms`);
