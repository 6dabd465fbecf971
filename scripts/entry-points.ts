/**
 * The package's executables, in one place: bin name → source entry. The build bundles each to
 * dist/<bin>.js; package.json "bin" must list exactly these (test/e2e/package.test.ts checks it).
 */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  'mesh-preflight': 'src/cli/main.ts',
  'kubectl-mesh_preflight': 'src/cli/kubectl-plugin.ts',
};

/** Where the bundle goes (the package's "files"). */
export const OUT_DIR = 'dist';

/** The built file of a bin, relative to the repository root. */
export function builtPath(bin: string): string {
  return `${OUT_DIR}/${bin}.js`;
}
