/**
 * The Check contract. A check is a plain object `satisfies Check<F>` listed once in checks/index.ts;
 * the runner never names a check. `collect` gathers raw facts through the context (host files and
 * commands only through ctx); `evaluate` is pure.
 */
import type { CheckOptions } from './options.ts';
import type { CheckStatus, InitContainerFinding } from './report.ts';
import type { Facts } from './facts.ts';
import type { HostRoot } from '../host/root.ts';
import type { Exec } from '../host/exec.ts';

export interface CheckOutcome {
  status: CheckStatus;
  summary: string;
  evidence: string[];
  remediation: string[];
}

export interface CheckContext {
  options: CheckOptions;
  host: HostRoot;
  exec: Exec;
  facts: Facts;
  now: () => Date;
  /** What the agent observed outside the host files (e.g. failed init containers seen by its pod watch). */
  observed?: ObservedFindings;
}

/** Findings the agent's watchers supply to the checks. */
export interface ObservedFindings {
  initContainers?: () => InitContainerFinding[];
}

export interface Check<F = unknown> {
  /** kebab-case; equals the file name under checks/. */
  id: string;
  title: string;
  /** A reason to skip with these options (e.g. `--probe` not given), or undefined to run. */
  skipReason?(options: CheckOptions): string | undefined;
  collect(ctx: CheckContext): Promise<F>;
  evaluate(facts: F, options: CheckOptions): CheckOutcome;
  /** Sections of the report this check's facts fill, beyond its own result. */
  reportSections?(facts: F): ReportSections;
}

/** Report sections a check may contribute (see Check.reportSections). */
export interface ReportSections {
  initContainers?: InitContainerFinding[];
}

/** Erases the facts type so checks of different F can share one list. */
export type AnyCheck = Check<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
