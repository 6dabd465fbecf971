/**
 * modprobe.d parsing: the `install` and `blacklist` lines that decide whether a module can be loaded
 * (kmod modprobe.d(5)): one command per line, `#` comments, a trailing `\` continues the line, `-` and
 * `_` are interchangeable in module names. Other commands (alias, options, softdep, remove) do not
 * block a load and are ignored here.
 */
import { normalizeModuleName } from '../host/parse/modules-files.ts';

export interface ModprobeDirective {
  kind: 'install' | 'blacklist';
  /** Module name, normalised (`-` → `_`). */
  module: string;
  /** The shell command of an `install` line. */
  command?: string;
  /** Host path of the file, e.g. `/etc/modprobe.d/cis.conf`. */
  file: string;
  /** 1-based line where the command starts. */
  line: number;
  /** The line as written (continuations joined). */
  text: string;
}

/** The install/blacklist directives of one modprobe.d file. */
export function parseModprobeConf(text: string, file: string): ModprobeDirective[] {
  const directives: ModprobeDirective[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i] ?? '';
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + ' ' + (lines[++i] ?? '');
    }
    const trimmed = logical.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [keyword, module, ...rest] = trimmed.split(/\s+/);
    if (!module) continue;
    if (keyword === 'blacklist') {
      directives.push({ kind: 'blacklist', module: normalizeModuleName(module), file, line: start, text: trimmed });
    } else if (keyword === 'install' && rest.length > 0) {
      directives.push({ kind: 'install', module: normalizeModuleName(module), command: rest.join(' '), file, line: start, text: trimmed });
    }
  }
  return directives;
}

/**
 * The configuration files modprobe reads, in order: `*.conf` of each directory, a file name in an
 * earlier directory hiding the same name in later ones (kmod modprobe.d(5)).
 * `listing` maps each directory (in precedence order) to its entry names, undefined when absent.
 */
export function effectiveConfFiles(listing: readonly { dir: string; entries: string[] | undefined }[]): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  for (const { dir, entries } of listing) {
    for (const name of entries ?? []) {
      if (!name.endsWith('.conf') || seen.has(name)) continue;
      seen.add(name);
      files.push(`${dir}/${name}`);
    }
  }
  return files;
}
