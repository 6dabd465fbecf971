/**
 * Rule dry-run: applies the mesh's iptables-restore input inside a throwaway network namespace, first with
 * `--test` (parse and resolve extensions), then for real (the kernel accepts the tables, chains, matches
 * and targets), and deletes the namespace in `finally`. The host's own tables are never touched.
 *
 * Why both steps: `iptables-nft-restore --test` accepts a jump to a target that does not exist (it is taken
 * for a chain) and only the real commit fails with "Chain 'X' does not exist"; and a missing kernel table
 * shows only when the kernel is asked to create it.
 *
 * Locking: the namespace is private, but /run/xtables.lock is a file on the host's /run, which
 * `ip netns exec` keeps; legacy restore takes that lock, so it would contend with kube-proxy and kubelet.
 * `-w` makes it wait a few seconds rather than fail ("Another app is currently holding the xtables lock");
 * iptables-nft-restore accepts and ignores `-w`.
 */
import type { Exec, ExecResult } from '../host/exec.ts';
import { commandLine } from '../host/exec.ts';
import type { HostRoot } from '../host/root.ts';
import type { RuleBackend } from '../core/report.ts';
import type { Family } from '../core/requirements.types.ts';
import { readLoadedModules } from '../modules/proc-modules.ts';
import { addNetns, deleteNetns, execIn, execInNetnsNotFound, netnsFailureReason, randomNetnsName } from './netns.ts';

export interface DryRunOptions {
  backend: RuleBackend;
  family: Family;
  /** iptables-restore input (`*table` ... `COMMIT` sections). */
  rules: string;
  /** Tables the rule set touches, in report order; sections for other tables are tested after these. */
  tables: string[];
  /** When given, /proc/modules is read before and after to see whether the probe loaded modules itself. */
  host?: HostRoot;
  timeoutMs?: number;
  /** Seconds `-w` waits for /run/xtables.lock. */
  lockWaitSeconds?: number;
  /** Apply in this existing namespace (the caller creates and deletes it) instead of a fresh one. */
  netns?: string;
  /** Which network namespace of a node these rules belong in (ambient also writes the host's); default pod. */
  scope?: 'pod' | 'host';
}

export interface TableDryRun {
  table: string;
  ok: boolean;
  /** Which step failed: `test` (`--test`) or `apply` (the real restore in the namespace). */
  stage?: 'test' | 'apply';
  /** iptables' own error line, e.g. `iptables-restore v1.8.7 (legacy): Couldn't load match `owner':...`. */
  errorLine?: string;
  /** Line number in the rule set given (1-based), from `Error occurred at line: N`. */
  line?: number;
  /** The rule set line that failed. */
  ruleLine?: string;
  /** The construct iptables names: `match owner`, `target CT`, `table raw`, `chain ISTIO_X`. */
  extension?: string;
  command: string;
}

export interface DryRunResult {
  backend: RuleBackend;
  family: Family;
  /** `host` for rules a mesh writes in the node's own netns (probed in a second throwaway namespace). */
  scope?: 'pod' | 'host';
  /** The namespace was created and the restore binary ran. */
  ran: boolean;
  /** Why it could not run (no privilege for a namespace, no binary, empty rule set). */
  skipped?: string;
  namespace?: string;
  tables: TableDryRun[];
  /** Ran, and every table applied. */
  ok: boolean;
  /** /proc/modules was read before and after (false without a host or on CONFIG_MODULES=n kernels). */
  modulesCompared: boolean;
  /** Modules that appeared in /proc/modules during the probe: the probe's own requests loaded them. */
  modulesLoadedByProbe: string[];
  /** Set when the namespace could not be deleted afterwards: its name and the error. */
  cleanupError?: string;
  evidence: string[];
}

interface Section {
  table: string;
  text: string;
  /** 1-based line in the full rule set where `*table` stands. */
  startLine: number;
}

const RESTORE_TIMEOUT_MS = 15_000;

/** The restore binary for one backend and family: `iptables-nft-restore`, `ip6tables-legacy-restore`, ... */
export function restoreBinary(backend: RuleBackend, family: Family): string {
  return `${family === 'ipv6' ? 'ip6tables' : 'iptables'}-${backend}-restore`;
}

/** Splits iptables-restore input into its `*table` ... `COMMIT` sections. */
export function splitRuleset(rules: string): Section[] {
  const sections: Section[] = [];
  let current: { table: string; lines: string[]; startLine: number } | undefined;
  rules.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('*')) {
      current = { table: line.slice(1).trim(), lines: [raw], startLine: i + 1 };
      return;
    }
    if (!current) return;
    current.lines.push(raw);
    if (line === 'COMMIT') {
      sections.push({ table: current.table, text: current.lines.join('\n') + '\n', startLine: current.startLine });
      current = undefined;
    }
  });
  // An unterminated section is still tested: iptables-restore reports the missing COMMIT itself.
  if (current) sections.push({ table: current.table, text: current.lines.join('\n') + '\n', startLine: current.startLine });
  return sections;
}

/** iptables' own error line and what it names, from restore stderr. */
export function parseRestoreError(stderr: string): { errorLine?: string; line?: number; extension?: string } {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const errorLine = lines.find((l) => !/^Error occurred at line:/.test(l) && !/^Try `/.test(l));
  const at = lines.map((l) => /^Error occurred at line: (\d+)/.exec(l)).find(Boolean);
  return {
    ...(errorLine === undefined ? {} : { errorLine }),
    ...(at ? { line: Number(at[1]) } : {}),
    ...(errorLine === undefined ? {} : extensionOf(errorLine)),
  };
}

function extensionOf(line: string): { extension?: string } {
  const load = /Couldn't load (match|target) [`'"]([^'`"]+)['`"]/.exec(line);
  if (load) return { extension: `${load[1]} ${load[2]}` };
  const ext = /Extension (\S+) revision \d+ not supported/.exec(line);
  if (ext) return { extension: `extension ${ext[1]}` };
  const chain = /Chain '([^']+)' does not exist/.exec(line);
  if (chain) return { extension: `chain ${chain[1]}` };
  const table = /(?:unable to initialize|can't initialize iptables) table [`'"]([^'`"]+)['`"]|table name '([^']+)' invalid|Table '?([\w-]+)'? does not exist/i.exec(line);
  if (table) return { extension: `table ${table[1] ?? table[2] ?? table[3]}` };
  return {};
}

/** Applies the rules in a throwaway namespace with the given backend; never touches the host's tables. */
export async function dryRunRules(exec: Exec, options: DryRunOptions): Promise<DryRunResult> {
  const { backend, family } = options;
  const binary = restoreBinary(backend, family);
  const base = {
    backend,
    family,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    tables: [] as TableDryRun[],
    modulesCompared: false,
    modulesLoadedByProbe: [] as string[],
  };
  const sections = orderSections(splitRuleset(options.rules), options.tables);
  if (sections.length === 0) {
    return { ...base, ran: false, ok: false, skipped: 'the rule set has no tables to apply', evidence: [] };
  }
  const before = options.host ? await readLoadedModules(options.host) : undefined;
  const owned = options.netns === undefined;
  const name = options.netns ?? randomNetnsName();
  const evidence: string[] = [];
  if (owned) {
    const added = await addNetns(exec, name);
    evidence.push(`$ ${commandLine('ip', ['netns', 'add', name])}: ${added.ok ? 'ok' : added.error ?? 'failed'}`);
    if (!added.ok) {
      return { ...base, ran: false, ok: false, skipped: netnsFailureReason(added), evidence };
    }
  }
  const tables: TableDryRun[] = [];
  let skipped: string | undefined;
  let cleanupError: string | undefined;
  const wait = String(options.lockWaitSeconds ?? 5);
  const timeoutMs = options.timeoutMs ?? RESTORE_TIMEOUT_MS;
  try {
    for (const section of sections) {
      const testArgs = ['-w', wait, '--test'];
      const test = await execIn(exec, name, binary, testArgs, { input: section.text, timeoutMs });
      const testCommand = `${commandLine('ip', ['netns', 'exec', name, binary, ...testArgs])} < ${section.table} rules`;
      if (execInNetnsNotFound(test)) {
        skipped = `${binary} not found: the ${backend} backend cannot be tested on this host`;
        evidence.push(`$ ${testCommand}: ${binary}: not found`);
        break;
      }
      if (!test.ok) {
        tables.push(failure(section, 'test', test, testCommand, options.rules));
        evidence.push(`$ ${testCommand}: ${tables.at(-1)!.errorLine ?? test.error}`);
        continue;
      }
      const applyArgs = ['-w', wait];
      const apply = await execIn(exec, name, binary, applyArgs, { input: section.text, timeoutMs });
      const applyCommand = `${commandLine('ip', ['netns', 'exec', name, binary, ...applyArgs])} < ${section.table} rules`;
      if (!apply.ok) {
        tables.push(failure(section, 'apply', apply, applyCommand, options.rules));
        evidence.push(`$ ${applyCommand}: ${tables.at(-1)!.errorLine ?? apply.error}`);
        continue;
      }
      tables.push({ table: section.table, ok: true, command: applyCommand });
      evidence.push(`$ ${applyCommand}: ok (--test and apply)`);
    }
  } finally {
    if (owned) {
      const deleted = await deleteNetns(exec, name);
      if (!deleted?.ok) cleanupError = `ip netns del ${name}: ${deleted?.error ?? 'failed'}`;
    }
  }
  const after = options.host && before ? await readLoadedModules(options.host) : undefined;
  const modulesLoadedByProbe = before && after ? [...after].filter((m) => !before.has(m)).sort() : [];
  if (modulesLoadedByProbe.length > 0) {
    evidence.push(`/proc/modules: loaded during the probe: ${modulesLoadedByProbe.join(', ')}`);
  }
  const ran = skipped === undefined || tables.length > 0;
  return {
    backend,
    family,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ran,
    ...(skipped === undefined ? {} : { skipped }),
    namespace: name,
    tables,
    ok: ran && skipped === undefined && tables.every((t) => t.ok),
    modulesCompared: before !== undefined && after !== undefined,
    modulesLoadedByProbe,
    ...(cleanupError === undefined ? {} : { cleanupError }),
    evidence,
  };
}

function orderSections(sections: Section[], tables: readonly string[]): Section[] {
  const rank = (t: string) => {
    const i = tables.indexOf(t);
    return i === -1 ? tables.length : i;
  };
  return sections.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s.table) - rank(b.s.table) || a.i - b.i).map((x) => x.s);
}

function failure(section: Section, stage: 'test' | 'apply', result: ExecResult, command: string, rules: string): TableDryRun {
  const parsed = parseRestoreError(result.stderr);
  const line = parsed.line === undefined ? undefined : section.startLine + parsed.line - 1;
  const ruleLine = line === undefined ? undefined : rules.split('\n')[line - 1]?.trim();
  return {
    table: section.table,
    ok: false,
    stage,
    errorLine: parsed.errorLine ?? (result.timedOut ? `${result.file}: timed out` : result.error),
    ...(line === undefined ? {} : { line }),
    ...(ruleLine ? { ruleLine } : {}),
    ...(parsed.extension === undefined ? {} : { extension: parsed.extension }),
    command,
  };
}
