/**
 * Runs the listed checks against one context: each isolated (a throw or a timeout becomes a `skip`
 * with the reason), facts shared through ctx.facts, results in list order. Never names a check.
 */
import type { AnyCheck, CheckContext, ReportSections } from './check.ts';
import type { CheckResult } from './report.ts';

export const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

export interface CheckRun {
  result: CheckResult;
  sections: ReportSections;
}

export async function runChecks(
  checks: readonly AnyCheck[],
  ctx: CheckContext,
  timeoutMs = DEFAULT_CHECK_TIMEOUT_MS,
): Promise<CheckRun[]> {
  return Promise.all(checks.map((check) => runOne(check, ctx, timeoutMs)));
}

async function runOne(check: AnyCheck, ctx: CheckContext, timeoutMs: number): Promise<CheckRun> {
  const started = performance.now();
  const base = { id: check.id, title: check.title };
  const skipReason = check.skipReason?.(ctx.options);
  if (skipReason) {
    return { result: { ...base, status: 'skip', summary: skipReason, evidence: [], remediation: [], durationMs: 0 }, sections: {} };
  }
  try {
    const facts = await withTimeout(check.collect(ctx), timeoutMs, `${check.id}: gathering facts took longer than ${timeoutMs} ms`);
    const outcome = check.evaluate(facts, ctx.options);
    const sections = check.reportSections?.(facts) ?? {};
    return { result: { ...base, ...outcome, durationMs: elapsed(started) }, sections };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      result: {
        ...base,
        status: 'skip',
        summary: `could not run: ${message.split('\n')[0]}`,
        evidence: [],
        remediation: [],
        durationMs: elapsed(started),
      },
      sections: {},
    };
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
