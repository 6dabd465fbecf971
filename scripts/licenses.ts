/**
 * THIRD_PARTY_LICENSES: the licence text of every npm package inside the bundle, found from esbuild's
 * metafile (each input below node_modules/ names its package) — what a bundle's users expect shipped.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Metafile } from 'esbuild';

const LICENSE_FILE = /^(licen[sc]e|copying|notice)(\.|-|$)/i;

export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  dir: string;
  licenseFiles: string[];
}

/** The package directory (…/node_modules/[@scope/]name) an input path belongs to, or undefined. */
export function packageDirOf(input: string): string | undefined {
  const parts = input.split('/');
  const i = parts.lastIndexOf('node_modules');
  const first = parts[i + 1];
  if (i < 0 || first === undefined) return undefined;
  return parts.slice(0, i + 2 + (first.startsWith('@') ? 1 : 0)).join('/');
}

/** Every npm package with at least one input in the bundle, sorted by name. */
export function bundledPackages(root: string, metafile: Metafile): BundledPackage[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDirOf(input);
    if (dir) dirs.add(dir);
  }
  return [...dirs]
    .map((dir) => {
      const abs = path.join(root, dir);
      const pkg = JSON.parse(readFileSync(path.join(abs, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        license?: string | { type?: string };
      };
      const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
      const licenseFiles = readdirSync(abs).filter((f) => LICENSE_FILE.test(f)).sort();
      return { name: pkg.name, version: pkg.version, license, dir, licenseFiles };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export function thirdPartyLicenses(root: string, metafile: Metafile): string {
  const packages = bundledPackages(root, metafile);
  const sections = packages.map((p) => {
    const texts = p.licenseFiles.map((f) => readFileSync(path.join(root, p.dir, f), 'utf8').trim());
    const body = texts.length > 0 ? texts : [`(the package ships no licence file; its package.json declares ${p.license})`];
    return [`${p.name}@${p.version} — ${p.license}`, '', ...body].join('\n');
  });
  const header = [
    `mesh-preflight's files under dist/ bundle the following ${packages.length} third-party npm packages.`,
    'Their licences follow, one section per package: name@version — licence (from its package.json), then',
    'the licence file(s) it ships.',
  ].join('\n');
  return `${header}\n\n${sections.join(`\n\n${'-'.repeat(78)}\n\n`)}\n`;
}
