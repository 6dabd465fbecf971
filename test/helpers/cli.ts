/** The one place tests find the built CLI: the bundle `npm run build` writes (scripts/entry-points.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtPath } from '../../scripts/entry-points.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The bundled `mesh-preflight` executable (dist/mesh-preflight.js). */
export const CLI_PATH = path.join(REPO_ROOT, builtPath('mesh-preflight'));
