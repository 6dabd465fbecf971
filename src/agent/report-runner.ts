/**
 * Runs the node check for the agent: one run at a time (callers that arrive during a run share it),
 * and the last good report is kept when a run fails, so the agent always serves something true.
 */
import type { Report } from '../core/report.ts';

export interface RunOutcome {
  report: Report;
  durationSeconds: number;
}

export class ReportRunner {
  private last: Report | undefined;
  private inFlight: Promise<RunOutcome> | undefined;
  private lastError: string | undefined;
  private readonly check: () => Promise<Report>;
  private readonly listeners: ((outcome: RunOutcome) => void | Promise<void>)[] = [];

  constructor(check: () => Promise<Report>) {
    this.check = check;
  }

  latest(): Report | undefined {
    return this.last;
  }

  /** The message of the last failed run, cleared by the next good one. */
  lastFailure(): string | undefined {
    return this.lastError;
  }

  busy(): boolean {
    return this.inFlight !== undefined;
  }

  /** Called after every successful run, in order; a throwing listener does not affect the others. */
  onReport(listener: (outcome: RunOutcome) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  /** Runs the check now, or joins the run in flight. Rejects only when there is no report at all. */
  run(): Promise<RunOutcome> {
    this.inFlight ??= this.runOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runOnce(): Promise<RunOutcome> {
    const started = performance.now();
    try {
      const report = await this.check();
      const outcome = { report, durationSeconds: (performance.now() - started) / 1000 };
      this.last = report;
      this.lastError = undefined;
      for (const listener of this.listeners) {
        try {
          await listener(outcome);
        } catch {
          // A reporter's failure (API server away, metrics) must not lose the report.
        }
      }
      return outcome;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      if (this.last) return { report: this.last, durationSeconds: (performance.now() - started) / 1000 };
      throw error;
    }
  }
}
