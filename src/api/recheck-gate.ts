/**
 * The recheck gate: at most one run at a time, and a minimum interval between the end of one run and
 * the start of the next, so `POST /v1/recheck` cannot be used to keep a node busy running probes.
 */

/** Outcome of RecheckGate.tryStart: either a slot (call `done` when the run ends) or a refusal. */
export type GateDecision =
  | { ok: true; done: () => void }
  | { ok: false; reason: 'busy' | 'too-soon'; retryAfterSeconds: number };

/** Admits one recheck at a time, no sooner than `minIntervalMs` after the previous one ended. */
export class RecheckGate {
  #running = false;
  #lastEndedAt: number | undefined;

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the slot if free and the interval has passed. */
  tryStart(): GateDecision {
    if (this.#running) {
      // The run in flight is followed by a full interval, so that is the earliest useful retry.
      return { ok: false, reason: 'busy', retryAfterSeconds: toRetrySeconds(this.minIntervalMs) };
    }
    if (this.#lastEndedAt !== undefined) {
      const remaining = this.#lastEndedAt + this.minIntervalMs - this.now();
      if (remaining > 0) return { ok: false, reason: 'too-soon', retryAfterSeconds: toRetrySeconds(remaining) };
    }
    this.#running = true;
    let finished = false;
    return {
      ok: true,
      done: () => {
        if (finished) return;
        finished = true;
        this.#running = false;
        // Failed runs count too: a failing recheck must not be retried in a tight loop.
        this.#lastEndedAt = this.now();
      },
    };
  }
}

/** Retry-After takes whole seconds (RFC 9110 §10.2.3); never advertise 0. */
function toRetrySeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
