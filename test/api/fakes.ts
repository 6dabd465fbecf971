/** Fakes for the API tests: a report source whose recheck can be held open or made to fail. */
import type { Report } from '../../src/core/report.ts';
import type { NodeDirectory, NodeReadiness, ReportSource } from '../../src/api/types.ts';

/** A promise with its resolve/reject exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Creates a Deferred. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A ReportSource whose recheck runs `onRecheck` and, on success, becomes the latest report. */
export class FakeReports implements ReportSource {
  current: Report | undefined;
  rechecks = 0;
  onRecheck: () => Promise<Report>;

  constructor(initial?: Report, onRecheck?: () => Promise<Report>) {
    this.current = initial;
    this.onRecheck = onRecheck ?? (async () => {
      if (this.current === undefined) throw new Error('no report to repeat');
      return this.current;
    });
  }

  latest(): Report | undefined {
    return this.current;
  }

  async recheck(): Promise<Report> {
    this.rechecks += 1;
    const report = await this.onRecheck();
    this.current = report;
    return report;
  }
}

/** A NodeDirectory over a fixed list, or one that fails. */
export function fakeNodes(nodes: NodeReadiness[] | Error): NodeDirectory {
  return {
    async list() {
      if (nodes instanceof Error) throw nodes;
      return nodes;
    },
  };
}
