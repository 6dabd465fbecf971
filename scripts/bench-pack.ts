/**
 * Benchmark (not a test): the `npx mesh-preflight` footprint. Packs the package as the registry would
 * serve it (`npm pack`, which builds it through `prepare`), installs the tarball into an empty folder
 * (`npm install --offline`: anything it needs must already be in the npm cache, and a bundle needs
 * nothing), and measures that folder on disk (`du`), the packages installed and the tarball's size.
 * Also runs the installed executable (`--version`, then a real check) so a broken package cannot pass.
 * Target: ≤ 10 MiB on disk. Exit 1 when over. Usage: npm run bench:pack
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package itself and its one runtime dependency (systeminformation runs in its own child process; README). */
const ALLOWED_PACKAGES = ['mesh-preflight', 'systeminformation'];

const TARGET_MIB = 10;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'mp-pack-'));
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

try {
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root)) as [{ filename: string; size: number; unpackedSize: number; entryCount: number }];
  const tarball = path.join(work, packed[0].filename);
  const app = path.join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(path.join(app, 'package.json'), '{"name":"empty","version":"1.0.0","private":true}\n');
  npm(['install', '--offline', '--no-audit', '--no-fund', tarball], app);

  const du = (dir: string) => Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) / 1024;
  const installed = du(app);
  const modules = path.join(app, 'node_modules');
  const packages = readdirSync(modules).flatMap((n) => (n.startsWith('@') ? readdirSync(path.join(modules, n)).map((m) => `${n}/${m}`) : n.startsWith('.') ? [] : [n]));
  const bin = path.join(modules, '.bin/mesh-preflight');
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const check = spawnSync(bin, ['--output', 'json'], { encoding: 'utf8', timeout: 60_000 });
  const verdict = (() => {
    try {
      return (JSON.parse(check.stdout) as { verdict: string }).verdict;
    } catch {
      return `no report (exit ${check.status}: ${check.stderr.split('\n')[0]})`;
    }
  })();
  const ok = installed <= TARGET_MIB && version.status === 0 && packages.every((p) => ALLOWED_PACKAGES.includes(p)) && check.status !== 2 && !verdict.startsWith('no report');
  console.log(`npm pack: ${packed[0].filename}, ${(statSync(tarball).size / 1024).toFixed(0)} KiB packed, ${(packed[0].unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed[0].entryCount} files`);
  console.log(`installed into an empty folder: ${installed.toFixed(1)} MiB on disk (du -sk; target ≤ ${TARGET_MIB}), ${packages.length} package(s): ${packages.join(', ')}`);
  console.log(`installed executable: --version ${version.stdout.trim() || version.stderr.trim()}, check verdict ${verdict}  ${ok ? 'OK' : 'OVER TARGET OR BROKEN'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
