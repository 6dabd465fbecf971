/**
 * esbuild plugin. Our sources write `import { z } from 'zod'`, and zod's entry exports `z` as one object
 * holding all of zod (every locale too), which no bundler can tree-shake. In the bundle only, that
 * import becomes `import * as z from '<zod>/v4/classic/external.js'` — the very module zod's entry
 * re-exports as `z` — so esbuild keeps only what the code uses (~450 KB → ~90 KB on the check's path).
 * Any other form of zod import is left as written (bundled whole, still correct).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';

const NAMED_Z_IMPORT = /^import \{ z \} from 'zod';$/gm;

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
