/**
 * The log classifier: matches the signature catalogue (checks/signatures) against a log and returns the
 * primary finding plus every distinct failure. No pattern lives here. Bounded: only the tail of the
 * input is scanned (bytes, lines and line length capped), and patterns are written without nested
 * quantifiers, so time grows linearly with the capped input.
 */
import type { InitContainerFinding, RuleBackend } from '../core/report.ts';
import type { Signature } from '../../checks/signatures/types.ts';
import { signatures as catalogue } from '../../checks/signatures/index.ts';
import type { Diagnosis, DiagnosisResult } from './types.ts';
import {
  backendOf,
  coreModule,
  extensionForOption,
  extensionModules,
  extensionsInRule,
  familyOf,
  isExtensionName,
  isKernelModuleName,
  linkKindModule,
  normalizeModule,
  nftStatementModules,
  tableModules,
  type IpFamily,
} from './modules.ts';
import { normalizeText, structuredLines, withoutRecordPrefix } from './normalize.ts';

/** Caps on what one classification scans; failures are at the end of a log, so the tail is kept. */
export const CLASSIFY_LIMITS = { maxBytes: 1024 * 1024, maxLines: 20_000, maxLineChars: 2048 } as const;

export interface ClassifyContext {
  /** Backend the node/mesh uses, when known; the log's own version string wins over it. */
  backend?: RuleBackend;
  /** Exit code of the failed container. */
  exitCode?: number;
  podLabels?: Record<string, string>;
  container?: string;
}

const CRI_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) (?:stdout|stderr) (?:[A-Z](?::[A-Z]){0,7} )?/;
const RESTORE_INPUT_HEADER = /Writing following contents to rules file|with the following input:?\s*$|^iptables-restore input:/;
const LOG_HEADER = /^\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d|^time="|^\{"level"/;
const IPTABLES_COMMAND = /\bip6?tables(?:-legacy|-nft)?(?:\s[^\n]{0,600}?)?\s-[ADIRFXNPZ]\s/;
const VERSION_BACKEND = /v\d+\.\d+(?:\.\d+)? \((nf_tables|legacy)\)/;
const VERSION_BACKEND_ALL = /v\d+\.\d+(?:\.\d+)? \((nf_tables|legacy)\)/g;
// iptables before 1.8 had only the legacy backend and printed no backend tag (`iptables v1.4.21: ...`).
const PRE_18_VERSION = /\bip6?tables(?:-save|-restore)? v1\.[0-7]\.\d+:/;
// `iptables/1.8.7 Failed to initialize nft`, `iptables-nft`: the nft front end was used.
const NFT_FRONT_END = /\bip6?tables(?:-save|-restore)?\/\d+\.\d+(?:\.\d+)? Failed to initialize nft|\bip6?tables-nft(?:-save|-restore)?\b/;
const LEGACY_TABLES_PRESENT = /\bWarning: ip6?tables-legacy tables present/;
const NFT_STATEMENT = /^\s*(?:add|insert|create|replace|delete|flush)\s+(?:rule|chain|table|set|map|element)\s/;
const PREVIOUS_COMMAND_WINDOW = 6;
// Istio's Go wrapper replaces iptables' `iptables v1.8.7 (legacy): ` prefix with the exit class
// (`xtables version problem: can't initialize iptables table ...`); restore line errors keep theirs.
const XTABLES_EXIT_CLASS = /\bxtables (?:other|parameter|version|resource) problem: (?!ip6?tables|line \d)/;
const RECORD_START = /^(?:\d{4}[-/]\d\d[-/]\d\d|[<>+] |:; |time=|\{")/;

interface Hit {
  sig: Signature;
  diagnosis: Diagnosis;
  /** Placeholder values the diagnosis was rendered with, so the primary can be re-rendered. */
  values: Record<string, string>;
  key: string;
}

/**
 * A log often fails on several tables or extensions in turn (`filter`, then `nat`): the primary node
 * finding then names the modules of every node finding of its category, so one fix covers them all.
 * `findings` keeps each one as matched.
 */
function withUnionModules(primary: Hit, others: readonly Hit[]): Diagnosis {
  const d = primary.diagnosis;
  if (!d.nodeProblem) return d;
  const modules = [...d.modules];
  for (const o of others) {
    if (!o.diagnosis.nodeProblem || o.diagnosis.category !== d.category) continue;
    for (const m of o.diagnosis.modules) if (!modules.includes(m)) modules.push(m);
  }
  if (modules.length === d.modules.length) return d;
  const values = { ...primary.values, modules: modules.join(' ') };
  return {
    ...d,
    modules,
    explanation: fill(primary.sig.explanation, values) + ` Other failing lines of the same kind add ${modules.filter((m) => !d.modules.includes(m)).join(' ')}.`,
    remediation: primary.sig.remediation.map((r) => fill(r, values)),
  };
}

/** Both backends at work in one log (or the log's legacy binary against an nft node): see Signature.when.backendConflict. */
function hasBackendConflict(lines: readonly string[], contextBackend: RuleBackend | undefined): boolean {
  let legacy = contextBackend === 'legacy';
  let nft = contextBackend === 'nft';
  for (const line of lines) {
    if (LEGACY_TABLES_PRESENT.test(line)) return true;
    for (const m of line.matchAll(VERSION_BACKEND_ALL)) {
      if (m[1] === 'legacy') legacy = true;
      else nft = true;
    }
    if (PRE_18_VERSION.test(line)) legacy = true;
    if (NFT_FRONT_END.test(line)) nft = true;
    if (legacy && nft) return true;
  }
  return false;
}

interface Prepared {
  lines: string[];
  bytes: number;
  truncated: boolean;
}

/** Classify one init container log. Empty or unrecognised input → category `unknown`, nodeProblem false. */
export function classifyLog(text: string, context: ClassifyContext = {}, sigs: readonly Signature[] = catalogue): DiagnosisResult {
  const prepared = prepare(text ?? '');
  const { lines } = prepared;
  const ordered = [...sigs].sort((a, b) => b.priority - a.priority);
  const textBackend = firstBackend(lines);
  const restoreBlocks = findRestoreBlocks(lines);
  const backendConflict = hasBackendConflict(lines, context.backend);

  const hits: Hit[] = [];
  // A terminal's hard wrap leaves every wrapped line exactly as long as the longest.
  const hardWrapWidth = lines.reduce((max, l) => Math.max(max, l.length), 0);
  const env: LineEnv = { catalogue: sigs, context, textBackend, restoreBlocks, backendConflict };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length < 8) continue;
    let hit: Hit | undefined;
    for (const candidate of readings(line, lines[i + 1], hardWrapWidth)) {
      hit = bestHit(ordered, lines, i, candidate, env);
      if (hit) break;
    }
    if (hit) hits.push(hit);
  }

  const byKey = new Map<string, Hit>();
  for (const hit of hits) byKey.set(hit.key, hit); // later occurrences replace earlier: keep the newest line
  const ranked = [...byKey.values()].sort((a, b) => b.sig.priority - a.sig.priority || b.diagnosis.lineNumber - a.diagnosis.lineNumber);
  let findings = ranked.map((h) => h.diagnosis);
  if (ranked[0]) findings[0] = withUnionModules(ranked[0], ranked.slice(1));

  if (findings.length === 0) {
    const fromContext = contextFinding(ordered, context);
    if (fromContext) findings = [fromContext];
  }

  const scanned = { bytes: prepared.bytes, lines: lines.length, truncated: prepared.truncated };
  const primary = findings[0] ?? unknownDiagnosis(lines, prepared);
  return { ...primary, findings, scanned };
}

/**
 * One regular expression per flag set that matches wherever some signature pattern matches (their
 * union, named groups made plain): a line none of them matches is skipped without trying 100+ signatures
 * one by one. Built once per catalogue.
 */
const unions = new WeakMap<readonly Signature[], RegExp[]>();
const UNION_CHUNK = 32;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
function anyPatternCanMatch(sigs: readonly Signature[], line: string): boolean {
  let union = unions.get(sigs);
  if (!union) {
    const byFlags = new Map<string, string[]>();
    for (const sig of sigs) {
      for (const p of sig.patterns) {
        const flags = p.flags.replace(/[gy]/g, '');
        byFlags.set(flags, [...(byFlags.get(flags) ?? []), `(?:${p.source.replace(/\(\?<(?![=!])[A-Za-z]\w*>/g, '(?:')})`]);
      }
    }
    // In chunks: one alternation of every pattern grows past what V8 compiles to native code, and the
    // interpreted fallback is several times slower (measured: adding any one signature doubled the time).
    union = [...byFlags].flatMap(([flags, sources]) => chunks(sources, UNION_CHUNK).map((part) => new RegExp(part.join('|'), flags)));
    unions.set(sigs, union);
  }
  return union.some((re) => re.test(line));
}

/** The first (highest-priority) signature that explains line i, read as matchLine; one line, one signature. */
function bestHit(ordered: readonly Signature[], lines: readonly string[], i: number, matchLine: string | undefined, env: LineEnv): Hit | undefined {
  if (matchLine === undefined || !anyPatternCanMatch(env.catalogue, matchLine)) return undefined;
  for (const sig of ordered) {
    const rendered = tryLine(sig, lines, i, matchLine, env);
    if (rendered) return { sig, ...rendered, key: dedupeKey(rendered.diagnosis) };
  }
  return undefined;
}

/**
 * The ways line i can be read, most literal first; later ones are only tried when earlier ones explain
 * nothing: as logged, without the collector's record header, and joined with the next line when a
 * terminal or an issue wrapped the message (`ip6tables-restore: unable to` / `initialize table 'nat'`;
 * a hard wrap at the terminal's width cuts words, so that join adds no space). Never across a new record.
 */
function* readings(line: string, next: string | undefined, hardWrapWidth: number): Generator<string> {
  const literal = forMatching(line, next);
  yield literal;
  const bare = withoutRecordPrefix(line);
  const nextBare = next === undefined ? undefined : withoutRecordPrefix(next);
  if (bare !== line) yield forMatching(bare, nextBare);
  // A markdown quote on both lines is not a new record; a timestamp or klog header is.
  const nextText = next?.replace(/^(?:\s*>[ \t]?)+/, '').trim();
  if (nextText === undefined || nextText === '' || RECORD_START.test(nextText) || LOG_HEADER.test(nextText)) return;
  // A command echoed before its error is not a message cut in two.
  if (IPTABLES_COMMAND.test(line)) return;
  const head = bare.trimEnd();
  const tail = (nextBare ?? '').trim();
  if (tail === '') return;
  yield forMatching(`${head} ${tail}`, undefined);
  if (line.length >= 60 && line.length === hardWrapWidth && !/\s$/.test(line)) yield forMatching(`${head}${tail}`, undefined);
}

function prepare(text: string): Prepared {
  const { maxBytes, maxLines, maxLineChars } = CLASSIFY_LIMITS;
  let truncated = false;
  let body = text;
  if (body.length > maxBytes) {
    body = body.slice(body.length - maxBytes);
    truncated = true;
  }
  const raw = normalizeText(body).split(/\r?\n/);
  if (truncated) raw.shift(); // the first line was cut in the middle
  let start = 0;
  if (raw.length > maxLines) {
    start = raw.length - maxLines;
    truncated = true;
  }
  const lines: string[] = [];
  for (let i = start; i < raw.length; i++) {
    let line = raw[i] ?? '';
    line = line.replace(CRI_PREFIX, '');
    const structured = structuredLines(line);
    if (structured) {
      // A record may carry another (a logger's JSON inside Docker's json-file line).
      for (const part of structured) for (const inner of structuredLines(part) ?? [part]) lines.push(cap(inner, maxLineChars));
    } else if ((line.includes('msg="') || line.includes('"msg":"')) && line.includes('\\n')) {
      // logrus loggers (linkerd proxy-init) embed command output with escaped newlines in msg="...".
      for (const part of line.replace(/\\"/g, '"').replace(/\\t/g, '\t').split('\\n')) lines.push(cap(part, maxLineChars));
    } else {
      lines.push(cap(line, maxLineChars));
    }
  }
  return { lines: lines.slice(-maxLines), bytes: Buffer.byteLength(body, 'utf8'), truncated };
}

function cap(line: string, max: number): string {
  return line.length > max ? line.slice(0, max) : line;
}

function firstBackend(lines: readonly string[]): RuleBackend | undefined {
  for (const line of lines) {
    const m = VERSION_BACKEND.exec(line);
    if (m) return backendOf(m[1]);
  }
  return undefined;
}

interface RestoreBlock {
  /** Index of the header line; the input's line 1 is the next line. */
  header: number;
  lines: string[];
}

function findRestoreBlocks(lines: readonly string[]): RestoreBlock[] {
  const blocks: RestoreBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!RESTORE_INPUT_HEADER.test(lines[i] ?? '')) continue;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && body.length < 2000; j++) {
      const l = withoutRecordPrefix(lines[j] ?? '').trim();
      if (l === '' || LOG_HEADER.test(l)) break;
      body.push(l);
      if (l === 'COMMIT' && !/^\*/.test((lines[j + 1] ?? '').trim())) break;
    }
    blocks.push({ header: i, lines: body });
  }
  return blocks;
}

interface LineEnv {
  /** The signature list as given (its identity keys the cached pattern unions). */
  catalogue: readonly Signature[];
  context: ClassifyContext;
  textBackend?: RuleBackend;
  restoreBlocks: RestoreBlock[];
  backendConflict: boolean;
}

/**
 * The line as the signatures expect it; the diagnosis still quotes the line as logged.
 * - a wrapper's exit class is put back as the binary's own prefix (`ip6tables: ` when the message names
 *   ip6tables), so one pattern covers both;
 * - quotes escaped by a JSON or logfmt logger are unescaped, tabs read as spaces;
 * - a message wrapped after its colon (`Couldn't load match `statistic':` / `No such file or directory`)
 *   is read with its next line.
 */
function forMatching(line: string, next: string | undefined): string {
  let out = line.includes('\\"') ? line.replace(/\\"/g, '"') : line;
  if (out.includes('\t')) out = out.replace(/\t/g, ' ');
  const m = XTABLES_EXIT_CLASS.exec(out);
  if (m) {
    const rest = out.slice(m.index + m[0].length);
    out = `${out.slice(0, m.index)}${/\bip6tables\b/.test(rest) ? 'ip6tables' : 'iptables'}: ${rest}`;
  }
  if (next !== undefined && /:\s*$/.test(out) && next.trim() !== '') out = `${out.trimEnd()} ${next.trim()}`;
  return out;
}

function tryLine(
  sig: Signature,
  lines: readonly string[],
  index: number,
  matchLine: string,
  env: LineEnv,
): { diagnosis: Diagnosis; values: Record<string, string> } | undefined {
  const line = lines[index] ?? '';
  let match: RegExpExecArray | null = null;
  for (const pattern of sig.patterns) {
    pattern.lastIndex = 0;
    match = pattern.exec(matchLine);
    if (match) break;
  }
  if (!match) return undefined;
  const groups: Record<string, string> = {};
  for (const [k, v] of Object.entries(match.groups ?? {})) if (v !== undefined) groups[k] = v;

  const previous =
    sig.when?.previousCommand || sig.derive === 'previous-command' || sig.derive === 'option-owner' ? previousCommand(lines, index) : undefined;
  if (sig.when?.previousCommand && !(previous && sig.when.previousCommand.test(previous))) return undefined;
  // iptables-restore names the failing line on the line after a parameter problem: `Error occurred at line: 16`.
  const lineNo = groups.line ?? (sig.derive === 'option-owner' ? errorLineAfter(lines, index) : undefined);
  const restoreLine = lineNo ? restoreLineAt(env.restoreBlocks, index, Number(lineNo)) : undefined;
  if (sig.when?.restoreLine && !(restoreLine && sig.when.restoreLine.test(restoreLine))) return undefined;
  if (sig.when?.extensionKnown !== undefined) {
    const name = groups.ext ?? groups.chain ?? '';
    const kind = groups.kind === 'match' ? 'match' : groups.kind === 'target' || groups.chain ? 'target' : undefined;
    if (isExtensionName(name, kind) !== sig.when.extensionKnown) return undefined;
  }
  if (sig.when?.elsewhere) {
    const re = sig.when.elsewhere;
    if (!lines.some((l) => re.test(l))) return undefined;
  }
  if (sig.when?.nowhere) {
    const re = sig.when.nowhere;
    if (lines.some((l) => re.test(l))) return undefined;
  }
  if (sig.when?.backendConflict !== undefined && sig.when.backendConflict !== env.backendConflict) return undefined;
  const statement = sig.derive === 'nft-statement' ? nftStatementAfter(lines, index) : undefined;
  const linkModule = sig.derive === 'link-kind' ? linkModuleBefore(lines, index) : undefined;

  // A pattern that does not capture the binary still has it on the line (`ip6tables v1.8.7 (legacy): Couldn't load ...`).
  const family: IpFamily = familyOf(groups.family ?? groups.binary ?? /\bip6tables/.exec(matchLine)?.[0]);
  const backend = backendOf(groups.backend) ?? backendOf(groups.binary) ?? lineBackend(line) ?? env.textBackend ?? env.context.backend;
  const derived = derive(sig, groups, { family, backend, previous, restoreLine, statement, linkModule });
  if (sig.when?.derivedModules !== undefined && sig.when.derivedModules !== derived.modules.length > 0) return undefined;
  if (sig.when?.ruleWithoutExtension !== undefined) {
    const bare = previous !== undefined && extensionsInRule(previous).length === 0;
    if (bare !== sig.when.ruleWithoutExtension) return undefined;
  }

  const values: Record<string, string> = {
    ...groups,
    family: family === 'ipv6' ? 'IPv6' : 'IPv4',
    table: derived.table ?? groups.table ?? '',
    extension: derived.extension ?? '',
    modules: derived.modules.length > 0 ? derived.modules.join(' ') : 'the required modules',
    line: groups.line ?? '',
    restoreLine: restoreLine ?? '',
    restoreLineQuoted: restoreLine ? ` (\`${restoreLine}\`)` : '',
    chainIn: groups.chain ? ` in chain ${groups.chain}` : '',
  };
  const diagnosis: Diagnosis = {
    category: sig.category,
    nodeProblem: sig.nodeProblem,
    modules: derived.modules,
    ...(derived.table ? { table: derived.table } : {}),
    ...(derived.extension ? { extension: derived.extension } : {}),
    ...(backend ? { backend } : {}),
    matchedLine: line.trim(),
    lineNumber: index + 1,
    explanation: fill(sig.explanation, values),
    remediation: sig.remediation.map((r) => fill(r, values)),
    signatureId: sig.id,
    source: sig.source,
  };
  return { diagnosis, values };
}

/** The statement `nft` echoes under its error (the next non-empty line, if it is an nft command). */
function nftStatementAfter(lines: readonly string[], index: number): string | undefined {
  // A page that collapsed the output keeps the statement on the error's own line, after the message.
  const own = /Could not process rule: [A-Za-z ]{4,40}?(?:directory|supported|argument|exists)\s+(\S[^\n]{3,400})$/.exec(lines[index] ?? '');
  if (own?.[1] && nftStatementModules(own[1]).length > 0) return own[1].replace(/\s+\S+:\d+:\d+-\d+: Error:[^\n]*$/, '');
  // A transcript shows the command just before its error: `nft 'add chain t c { type nat hook ... }'`.
  const before = /^\s*(?:\$ |# )?(?:sudo )?nft\s+['"]?((?:add|insert|create|replace|flush|list)\s[^\n]{2,400}?)['"]?\s*$/.exec(withoutRecordPrefix(lines[index - 1] ?? ''));
  if (before?.[1] && nftStatementModules(before[1]).length > 0) return before[1];
  for (let j = index + 1; j < lines.length && j <= index + 2; j++) {
    // kubectl describe / logs viewers prefix continuation lines with a box rule (`│`) or pipe.
    const l = withoutRecordPrefix(lines[j] ?? '').replace(/^\s{0,8}[│|]\s{0,8}/, '');
    if (l.trim() === '') continue;
    return NFT_STATEMENT.test(l) ? l.trim() : undefined;
  }
  return undefined;
}

/** The module of the link kind asked for by the `ip link add` on line index or the few lines before it. */
function linkModuleBefore(lines: readonly string[], index: number): string | undefined {
  for (let j = index; j >= 0 && j >= index - PREVIOUS_COMMAND_WINDOW; j--) {
    const module = linkKindModule(lines[j] ?? '');
    if (module) return module;
  }
  return undefined;
}

function errorLineAfter(lines: readonly string[], index: number): string | undefined {
  for (let j = index + 1; j < lines.length && j <= index + 2; j++) {
    const m = /Error occurred at line: (\d+)/.exec(lines[j] ?? '');
    if (m) return m[1];
  }
  return undefined;
}

function lineBackend(line: string): RuleBackend | undefined {
  const m = VERSION_BACKEND.exec(line);
  return m ? backendOf(m[1]) : undefined;
}

// The rule a wrapper quotes on the error line itself: netavark's `unable to append rule '-d ... -j ACCEPT'`,
// Go's `running [/usr/sbin/iptables -t nat -C ... --wait]`.
// Docker's `iptables failed: iptables --wait -A DOCKER ... -j ACCEPT: iptables: No chain/target/match by that name.`
const SAME_LINE_RULE =
  /\b(?:append|insert|check|delete) rule '(-[^'\n]{1,400})'|\brunning \[(\S{0,60}ip6?tables[^\]\n]{1,600})\]|\biptables failed: (ip6?tables\s[^\n]{1,600}?\s-[ADIRFXNPZ]\s[^\n]{1,600}?): ip6?tables(?:-restore)?(?: v\d|: )/;

function previousCommand(lines: readonly string[], index: number): string | undefined {
  const own = SAME_LINE_RULE.exec(lines[index] ?? '');
  if (own) return own[1] ?? own[2] ?? own[3];
  for (let j = index - 1; j >= 0 && j >= index - PREVIOUS_COMMAND_WINDOW; j--) {
    const l = lines[j] ?? '';
    if (!IPTABLES_COMMAND.test(l)) continue;
    // Wrapped output (kubectl describe, YAML `>+` blocks) continues a command on indented lines.
    let command = l;
    for (let k = j + 1; k < index; k++) {
      const next = lines[k] ?? '';
      if (next.trim() === '' || !/^\s/.test(next) || RECORD_START.test(next.trim())) break;
      command += ' ' + next.trim();
    }
    return command;
  }
  return undefined;
}

function restoreLineAt(blocks: readonly RestoreBlock[], index: number, lineNo: number): string | undefined {
  let block: RestoreBlock | undefined;
  for (const b of blocks) if (b.header < index) block = b;
  // Some loggers print the error before the input: fall back to the first block after it.
  block ??= blocks.find((b) => b.header > index);
  return block?.lines[lineNo - 1];
}

interface Derived {
  modules: string[];
  table?: string;
  extension?: string;
}

function derive(
  sig: Signature,
  groups: Record<string, string>,
  env: { family: IpFamily; backend?: RuleBackend; previous?: string; restoreLine?: string; statement?: string; linkModule?: string },
): Derived {
  const modules: string[] = [];
  const add = (...names: string[]) => {
    for (const n of names) if (n && !modules.includes(n)) modules.push(n);
  };
  const out: Derived = { modules };
  for (const m of sig.modules ?? []) add(m === '{core}' ? coreModule(env.family, env.backend) : m);
  const mode = sig.derive ?? 'groups';
  if (mode === 'none') return out;

  if (mode === 'groups') {
    if (groups.table) {
      out.table = groups.table;
      // Legacy wording (`can't initialize`, `unable to initialize table`) names legacy modules unless the log says nf_tables.
      add(...tableModules(groups.table, env.family, env.backend));
    }
    if (groups.ebtable) {
      out.table = groups.ebtable;
      add(`ebtable_${groups.ebtable}`, 'ebtables');
    }
    if (groups.ext) {
      out.extension = `${groups.kind ?? (/^[A-Z]/.test(groups.ext) ? 'target' : 'match')} ${groups.ext}`;
      add(...extensionModules(groups.ext, env.backend, env.family));
    }
    if (groups.module) {
      const name = normalizeModule(groups.module);
      if (isKernelModuleName(name)) add(name);
    }
    // A list of modules the message names (`not loaded: [ip_vs ip_vs_rr ip_vs_sh]`).
    for (const listed of (groups.modules ?? '').split(/[\s,]+/)) {
      const name = normalizeModule(listed);
      if (listed && isKernelModuleName(name)) add(name);
    }
    return out;
  }

  if (mode === 'nft-statement') {
    if (env.statement) add(...nftStatementModules(env.statement));
    return out;
  }

  if (mode === 'link-kind') {
    if (env.linkModule) add(env.linkModule);
    return out;
  }

  if (mode === 'option-owner') {
    const owner = groups.option ? extensionForOption(groups.option, env.restoreLine ?? env.previous) : undefined;
    if (owner) {
      out.extension = `${owner.kind} ${owner.name}`;
      add(...extensionModules(owner.name, env.backend, env.family));
    }
    return out;
  }

  const rule = mode === 'previous-command' ? env.previous : env.restoreLine;
  if (!rule) return out;
  const table = /\s-t\s+([a-z]+)/.exec(rule)?.[1];
  if (table) out.table = table;
  // A failure of the table or chain itself (not of a rule's extension) implicates the table's modules only.
  if (sig.category === 'missing-kernel-module' || sig.category === 'missing-iptables-table' || sig.category === 'iptables-backend-mismatch') {
    if (table) add(...tableModules(table, familyOf(/\bip6tables/.test(rule) ? 'ip6tables' : undefined), env.backend));
    return out;
  }
  const exts = extensionsInRule(rule);
  if (exts.length > 0) out.extension = exts.map((e) => `${e.kind} ${e.name}`).join(' or ');
  for (const e of exts) add(...extensionModules(e.name, env.backend, /\bip6tables/.test(rule) ? 'ipv6' : env.family));
  return out;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (_, key: string) => values[key] ?? '');
}

function dedupeKey(d: Diagnosis): string {
  return [d.signatureId, d.modules.join(','), d.table ?? '', d.extension ?? ''].join('|');
}

function contextFinding(sigs: readonly Signature[], context: ClassifyContext): Diagnosis | undefined {
  for (const sig of sigs) {
    const c = sig.context;
    if (!c) continue;
    const containerOk = context.container === undefined || !c.containers || c.containers.test(context.container);
    const codeHit = context.exitCode !== undefined && (c.exitCodes ?? []).includes(context.exitCode) && containerOk;
    const labelHit =
      c.labels !== undefined &&
      context.podLabels !== undefined &&
      Object.entries(c.labels).every(([k, v]) => context.podLabels?.[k] === v);
    if (!codeHit && !labelHit) continue;
    const what = [
      codeHit ? `exit code ${context.exitCode}` : undefined,
      context.container ? `container ${context.container}` : undefined,
      labelHit ? `label ${Object.entries(c.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}` : undefined,
    ].filter(Boolean);
    const values = { modules: 'the required modules', table: '', extension: '', line: '', restoreLine: '', restoreLineQuoted: '' };
    return {
      category: sig.category,
      nodeProblem: sig.nodeProblem,
      modules: [],
      matchedLine: `(${what.join(', ')})`,
      lineNumber: 0,
      explanation: fill(sig.explanation, values),
      remediation: sig.remediation.map((r) => fill(r, values)),
      signatureId: sig.id,
      source: sig.source,
    };
  }
  return undefined;
}

function unknownDiagnosis(lines: readonly string[], prepared: Prepared): Diagnosis {
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  const last = nonEmpty[nonEmpty.length - 1]?.trim() ?? '';
  const explanation =
    nonEmpty.length === 0
      ? 'The log is empty: there is nothing to diagnose.'
      : `No known failure signature in the log (${lines.length} lines scanned${prepared.truncated ? ', tail only' : ''}); the cause is unknown, and nothing points at the node.`;
  return {
    category: 'unknown',
    nodeProblem: false,
    modules: [],
    matchedLine: last,
    lineNumber: 0,
    explanation,
    remediation:
      nonEmpty.length === 0
        ? ['Get the failed run\'s log: kubectl logs <pod> -c <init-container> --previous']
        : ['Run mesh-preflight check on the node the pod ran on', 'Check the pod\'s events: kubectl describe pod <pod>'],
  };
}

/** The fields of a diagnosis that an init-container finding carries (log scan, pod watch, diagnose). */
export function findingFields(
  result: DiagnosisResult,
): Pick<InitContainerFinding, 'category' | 'nodeProblem' | 'modules' | 'table' | 'extension' | 'matchedLine' | 'explanation' | 'remediation'> {
  return {
    category: result.category,
    nodeProblem: result.nodeProblem,
    modules: result.modules,
    ...(result.table ? { table: result.table } : {}),
    ...(result.extension ? { extension: result.extension } : {}),
    matchedLine: result.matchedLine,
    explanation: result.explanation,
    remediation: result.remediation,
  };
}
