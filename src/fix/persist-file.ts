/**
 * The modules-load.d file that `fix --persist` owns: its path, its content, and how we recognise it.
 * Format (modules-load.d(5), systemd): one module name per line; empty lines and lines whose first
 * non-whitespace character is `#` or `;` are ignored; only files ending in `.conf` are read.
 * Source: https://man.archlinux.org/man/modules-load.d.5 , https://manpages.ubuntu.com/manpages/trusty/man5/modules-load.d.5.html
 */

/** Host path of the file we write (below the host root). `99-` so it sorts after distro files. */
export const PERSIST_PATH = '/etc/modules-load.d/99-mesh-preflight.conf';

/**
 * The stable ownership marker. A file is ours only when one of its lines equals this exactly; the
 * version suffix lets a future format change still recognise older files (match on the prefix).
 */
export const OWNERSHIP_MARKER = '# mesh-preflight-owned: v1';
const MARKER_PREFIX = '# mesh-preflight-owned:';

/** Renders the whole file for these modules (sorted, de-duplicated); no timestamp, so re-runs are byte-identical. */
export function renderPersistFile(modules: readonly string[]): string {
  const sorted = [...new Set(modules)].sort();
  return [
    OWNERSHIP_MARKER,
    '# Written by `mesh-preflight fix --persist`: kernel modules the service mesh needs for its',
    '# iptables traffic interception, loaded at every boot by systemd-modules-load.service.',
    '# Edits are overwritten by the next `fix --persist`; `mesh-preflight fix --undo --yes` removes this file.',
    ...sorted,
    '',
  ].join('\n');
}

/** True when the text carries our ownership marker line. */
export function isOwnedContent(text: string): boolean {
  return text.split('\n').some((line) => line.trim().startsWith(MARKER_PREFIX));
}

/** Module names listed in a modules-load.d file (comments and blank lines dropped). */
export function parseModulesLoadFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';'));
}
