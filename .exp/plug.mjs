import { build } from 'esbuild';
import path from 'node:path';
const [entry, out, mode] = process.argv.slice(2);
const plugins = [];
if (mode.includes('w')) plugins.push({ name: 'w', setup(b) { b.onResolve({ filter: /^whatwg-url$/ }, () => ({ path: path.resolve('.exp/shim/whatwg-url.cjs') })); } });
if (mode.includes('s')) plugins.push({ name: 's', setup(b) {
  b.onResolve({ filter: /.*/ }, async (args) => {
    if (args.pluginData === 's' ) return undefined;
    if (!(args.importer.includes('@kubernetes/client-node/') || args.path === '@kubernetes/client-node')) return undefined;
    const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 's' });
    if (r.errors.length) return r;
    return r.path.includes('node_modules/@kubernetes/client-node/') ? { ...r, sideEffects: false } : r;
  }); } });
await build({ entryPoints: [entry], outfile: out, bundle: true, minify: true, format: 'esm', platform: 'node', target: 'node20', external: ['bufferutil', 'utf-8-validate'], plugins, logLevel: 'error', banner: { js: "import{createRequire as __r}from'node:module';const require=__r(import.meta.url);" } });
