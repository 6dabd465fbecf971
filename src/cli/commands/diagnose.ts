/**
 * `mesh-preflight diagnose <file|->`: explain a failed mesh init container from its log. Reads a file or
 * stdin (bounded: the tail is kept), accepts plain `kubectl logs` output or a raw CRI log file, and
 * optionally joins the diagnosis with this node's report. Returns the exit code; never exits itself.
 */
import { open, stat } from 'node:fs/promises';
import type { Report } from '../../core/report.ts';
import { classifyLog, findingFields } from '../../diagnose/classify.ts';
import { joinWithReport } from '../../diagnose/join.ts';
import type { DiagnoseOutput, DiagnosisResult, NodeJoin } from '../../diagnose/types.ts';
import { criLogText, looksLikeCriLog, parseCriLog } from '../../host/parse/cri-log.ts';

/** Bytes of input kept (the tail); the classifier caps further. */
export const DIAGNOSE_MAX_INPUT = 4 * 1024 * 1024;

export interface DiagnoseInput {
  /** Path, or `-` for stdin. */
  file?: string;
  stdin?: NodeJS.ReadableStream;
}

export interface DiagnoseOptions {
  output: 'table' | 'json';
  node?: { report: () => Promise<Report> };
  /** What is known about the failed container besides its log. */
  context?: { exitCode?: number; container?: string };
}

export interface DiagnoseRun {
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

/** Run `diagnose`: exit 0 with a diagnosis (possibly `unknown`), 2 when the input cannot be read. */
export async function runDiagnose(input: DiagnoseInput, opts: DiagnoseOptions): Promise<DiagnoseRun> {
  let text: string;
  try {
    text = await readInput(input);
  } catch (err) {
    const what = input.file && input.file !== '-' ? input.file : 'stdin';
    return { exitCode: 2, stdout: '', stderr: `mesh-preflight diagnose: cannot read ${what}: ${reason(err)}\n` };
  }
  const body = looksLikeCriLog(text) ? criLogText(parseCriLog(text)) : text;

  let report: Report | undefined;
  let nodeError: string | undefined;
  if (opts.node) {
    try {
      report = await opts.node.report();
    } catch (err) {
      nodeError = `node report unavailable: ${reason(err)}`;
    }
  }
  // On the node, its backend decides which modules a named table implies (iptable_raw vs nf_tables).
  const result = classifyLog(body, { ...opts.context, backend: report?.iptables?.meshBackend });
  const node: NodeJoin | undefined = report ? joinWithReport(result, report) : undefined;
  const stdout = opts.output === 'json' ? toJson(result, node) : toTable(result, node, nodeError);
  return { exitCode: 0, stdout, stderr: opts.output === 'json' && nodeError ? `mesh-preflight diagnose: ${nodeError}\n` : '' };
}

async function readInput(input: DiagnoseInput): Promise<string> {
  if (!input.file || input.file === '-') {
    if (!input.stdin) throw new Error('no input given');
    return readStream(input.stdin);
  }
  const info = await stat(input.file);
  if (info.isDirectory()) throw new Error('is a directory');
  const handle = await open(input.file, 'r');
  try {
    const length = Math.min(info.size, DIAGNOSE_MAX_INPUT);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, info.size - length);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

// Keeps a rolling tail so an endless stdin stays bounded in memory.
async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    chunks.push(buffer);
    size += buffer.length;
    while (size - (chunks[0]?.length ?? 0) >= DIAGNOSE_MAX_INPUT && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
  }
  const all = Buffer.concat(chunks);
  return all.subarray(Math.max(0, all.length - DIAGNOSE_MAX_INPUT)).toString('utf8');
}

export function toJson(result: DiagnosisResult, node: NodeJoin | undefined): string {
  const out: DiagnoseOutput = {
    ...findingFields(result),
    category: result.category,
    ...(result.signatureId ? { signatureId: result.signatureId } : {}),
    findings: result.findings,
    ...(node ? { node } : {}),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

export function toTable(result: DiagnosisResult, node: NodeJoin | undefined, nodeError: string | undefined): string {
  const lines: string[] = [];
  const fix = result.remediation[0];
  lines.push(`${result.category}${result.nodeProblem ? ' (node problem)' : ''}: ${result.explanation}`);
  if (fix) lines.push(`Fix: ${fix}`);
  lines.push('');
  if (result.matchedLine) lines.push(`Matched: ${result.matchedLine}`);
  if (result.modules.length) lines.push(`Modules: ${result.modules.join(' ')}`);
  if (result.table) lines.push(`Table: ${result.table}`);
  if (result.extension) lines.push(`Extension: ${result.extension}`);
  for (const step of result.remediation.slice(1)) lines.push(`  - ${step}`);
  if (result.findings.length > 1) {
    lines.push('', `Other failures in this log (${result.findings.length - 1}):`);
    for (const f of result.findings.slice(1)) lines.push(`  - ${f.category}: ${f.matchedLine}`);
  }
  if (node) {
    lines.push('', 'On this node:');
    for (const l of node.lines) lines.push(`  - ${l}`);
  } else if (nodeError) {
    lines.push('', nodeError);
  }
  return lines.join('\n') + '\n';
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message.split('\n')[0] ?? String(err) : String(err);
}
