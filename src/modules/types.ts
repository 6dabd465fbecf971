/** Raw facts about the running kernel and its modules, read below the host root. */

export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
}

export interface KernelFacts {
  /** `uname -r`, e.g. `5.15.0-91-generic`; undefined when it cannot be read. */
  release?: string;
  /** `uname -v`, e.g. `#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023`. */
  version?: string;
  parsed?: KernelVersion;
  /** Where release was read. */
  source: string;
}

export type KconfigValue = 'y' | 'm' | 'n' | string;

export interface KconfigFacts {
  /** Symbol → value (`y`, `m`, `n` for "is not set", or a string/number value). */
  values: Map<string, KconfigValue>;
  /** The file the config was read from, or undefined when none was found. */
  source?: string;
  /** Config files that are there but were not read (a gzip bomb, truncated, a FIFO ...), one line each. */
  problems?: string[];
}

export interface ModuleInventory {
  /** Modules in /proc/modules (names as the kernel writes them, `-` → `_`). */
  loaded: Set<string>;
  /** Whether /proc/modules was readable (absent on kernels with CONFIG_MODULES=n). */
  procModulesReadable: boolean;
  /** /sys/module entries: name → has `initstate` (a loaded loadable module) or not (built in). */
  sysModule: Map<string, 'loaded' | 'builtin'>;
  /** Module tree directory of the running release (`/lib/modules/<release>` or `/usr/lib/modules/...`). */
  treeDir?: string;
  /** Other releases that have a module tree (a kernel upgraded without a reboot leaves only these). */
  otherTrees: string[];
  /** modules.builtin names. */
  builtin: Set<string>;
  builtinReadable: boolean;
  /** Module name → relative path of its file (from modules.dep, else from scanning the tree). */
  files: Map<string, string>;
  filesSource?: string;
  /** Alias → module names (modules.alias: `alias ipt_REDIRECT xt_REDIRECT`). */
  aliases: Map<string, string[]>;
  /** Set when the module file list may be incomplete (modules.dep there but unreadable, scan capped): why. */
  filesIncomplete?: string;
  /** Files that are there but were not read, one line each naming the file and why. */
  problems?: string[];
  /** Paths read through links, `host path → where it led` (evidence). */
  links?: string[];
}
