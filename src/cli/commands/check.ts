/** `mesh-preflight check`: one real check of this node, printed as a table or the JSON report. */
import type { CheckOptions } from '../../core/options.ts';
import type { Report } from '../../core/report.ts';
import { checkNode, type CheckNodeDeps } from '../../core/check-node.ts';
import { renderReport } from '../render.ts';

export type OutputFormat = 'table' | 'json';

export interface CheckCommandOptions {
  output: OutputFormat;
  strict: boolean;
  color: boolean;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
}

/** Exit code of a report: 0 ready (or degraded without --strict), 1 otherwise. */
export function exitCodeOf(report: Report, strict: boolean): number {
  if (report.verdict === 'ready') return 0;
  if (report.verdict === 'degraded' && !strict) return 0;
  return 1;
}

export async function runCheck(options: CheckOptions, command: CheckCommandOptions, deps: CheckNodeDeps = {}): Promise<CommandResult> {
  const report = await checkNode(options, deps);
  const stdout = command.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderReport(report, { color: command.color });
  return { exitCode: exitCodeOf(report, command.strict), stdout };
}
