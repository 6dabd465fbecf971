/**
 * esbuild plugins that make the bundle load less, without changing what the code does. Each is a
 * build-time decision about a dependency's packaging, documented here and measured in the README.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';

const NAMED_Z_IMPORT = /^import \{ z \} from 'zod';$/gm;

/**
 * Our sources write `import { z } from 'zod'`, and zod's entry exports `z` as one object holding all of
 * zod (every locale too), which no bundler can tree-shake. In the bundle only, that import becomes
 * `import * as z from '<zod>/v4/classic/external.js'` — the very module zod's entry re-exports as `z` —
 * so esbuild keeps only what the code uses (~450 KB → ~95 KB). Any other form of zod import is left as
 * written (bundled whole, still correct).
 */
export function zodNamespacePlugin(root: string): Plugin {
  const classic = path.join(root, 'node_modules/zod/v4/classic/external.js');
  return {
    name: 'zod-namespace',
    setup(build) {
      if (!existsSync(classic)) throw new Error(`zod-namespace plugin: ${classic} not found (has zod's layout changed?)`);
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes("from 'zod'")) return undefined;
        return { contents: source.replace(NAMED_Z_IMPORT, `import * as z from ${JSON.stringify(classic)};`), loader: 'ts' };
      });
    },
  };
}

/**
 * @kubernetes/client-node's index re-exports every module (exec, attach, cp, port-forward, …), and those
 * import CommonJS packages (ws, tar-fs, …) that esbuild must assume have side effects, so all of it
 * would load with the client. Its own modules only declare classes and functions: marking them
 * side-effect-free (as a package.json "sideEffects": false would) lets esbuild drop the ones we never
 * reach. Its dependencies are not marked.
 */
export function clientNodeSideEffectsPlugin(): Plugin {
  const marker = `${path.sep}node_modules${path.sep}@kubernetes${path.sep}client-node${path.sep}`;
  return {
    name: 'client-node-side-effects',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'client-node-side-effects') return undefined;
        const fromClientNode = args.importer.includes(marker) || args.path === '@kubernetes/client-node';
        if (!fromClientNode) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'client-node-side-effects',
        });
        if (resolved.errors.length > 0 || !resolved.path.includes(marker)) return resolved;
        return { ...resolved, sideEffects: false };
      });
    },
  };
}

/** Packages replaced by a stand-in in scripts/bundle-shims/ (each file says why it is safe). */
const SHIMS: Readonly<Record<string, string>> = {
  'whatwg-url': 'whatwg-url.cjs',
};

export function shimPlugin(root: string): Plugin {
  const filter = new RegExp(`^(${Object.keys(SHIMS).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'shims',
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: path.join(root, 'scripts/bundle-shims', SHIMS[args.path]!) }));
    },
  };
}
