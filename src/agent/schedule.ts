/** Periodic work with jitter, stoppable; durations parsed from `10m`, `30s`, `1h30m`, `500ms`. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `10m` → 600000; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(match[1]) * UNIT_MS[match[2]!]!;
  return total;
}

/** The next delay: interval ± jitter (a fraction, e.g. 0.1 → ±10%), never below 0. */
export function jittered(intervalMs: number, jitter: number, random: () => number = Math.random): number {
  const spread = intervalMs * jitter;
  return Math.max(0, Math.round(intervalMs - spread + random() * 2 * spread));
}

export interface Ticker {
  stop(): void;
}

/** Calls `task` every interval (± jitter), waiting for each call to finish before scheduling the next. */
export function every(intervalMs: number, jitter: number, task: () => Promise<unknown>): Ticker {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      task().catch(() => undefined).finally(schedule);
    }, jittered(intervalMs, jitter));
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
