/**
 * The package version: written into the bundle at build time (scripts/build.ts `define`), else read
 * from the nearest package.json named mesh-preflight (running from source).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(): string {
  const bundled = process.env['MESH_PREFLIGHT_BUNDLED_VERSION'];
  if (bundled) return bundled;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mesh-preflight' && pkg.version) return pkg.version;
    } catch {
      // keep walking up
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}
