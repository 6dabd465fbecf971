/**
 * Builds the shipped package: an esbuild bundle of every entry point in scripts/entry-points.ts (ESM for
 * Node 20, split into chunks so each command loads only what it imports), esbuild's metafile (for
 * scripts/bundle-report.ts), and THIRD_PARTY_LICENSES. Every dependency is bundled: none is external,
 * so a dependency another branch adds is bundled (and its licence collected) without a change here.
 * Usage: npm run build   (node --import=tsx scripts/build.ts)
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ENTRY_POINTS, OUT_DIR, builtPath } from './entry-points.ts';
import { launcherLines } from '../src/cli/launcher.ts';
import { thirdPartyLicenses } from './licenses.ts';
import { clientNodeSideEffectsPlugin, shimPlugin, zodNamespacePlugin } from './bundle-plugins.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const outdir = path.join(root, OUT_DIR);

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { ...ENTRY_POINTS },
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ws require()s these optional native add-ons inside a try/catch; neither is installed or needed.
  external: ['bufferutil', 'utf-8-validate'],
  // Smaller code is less to read and compile at every start; error messages never show identifiers.
  minify: true,
  legalComments: 'none', // the licences go to THIRD_PARTY_LICENSES instead
  metafile: true,
  logLevel: 'warning',
  plugins: [zodNamespacePlugin(root), clientNodeSideEffectsPlugin(), shimPlugin(root)],
  define: { 'process.env.MESH_PREFLIGHT_BUNDLED_VERSION': JSON.stringify(pkg.version) },
  // CommonJS dependencies (fastify, ws, …) require() Node built-ins: give every ESM chunk a require.
  banner: { js: "import{createRequire as __mpRequire}from'node:module';const require=__mpRequire(import.meta.url);" },
});

writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));
writeFileSync(path.join(outdir, 'THIRD_PARTY_LICENSES'), thirdPartyLicenses(root, result.metafile));
// Each executable starts through the shell launcher (src/cli/launcher.ts) instead of `#!/usr/bin/env node`.
for (const bin of Object.keys(ENTRY_POINTS)) {
  const file = path.join(root, builtPath(bin));
  const code = readFileSync(file, 'utf8');
  writeFileSync(file, launcherLines() + (code.startsWith('#!') ? code.slice(code.indexOf('\n') + 1) : code));
  chmodSync(file, 0o755);
}
