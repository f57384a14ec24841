// How many points a partition writes to InfluxDB at once: smaller while writes
// time out, back to full size after runs of successes. (How long a partition
// waits after a failure is the kit's Backoff.)

export interface WriteSizePolicy {
  /** Most points in one write, and the size writes return to. Default: EVENTLINE_CONSUMER_BATCH_SIZE */
  maxPoints: number;
  /** How many times timeouts can halve the size: it never falls below maxPoints / 2^maxHalvings. Default: 6 */
  maxHalvings: number;
  /** Successful writes in a row after which a reduced size doubles again. Default: 8 */
  recoverAfter: number;
}

export const WRITE_SIZE_DEFAULTS = Object.freeze({ maxHalvings: 6, recoverAfter: 8 });

/**
 * How many points a partition writes at once. A write that exceeds the timeout
 * would time out again at the same size however often it is retried, so each
 * timeout halves the size (down to the bound) and a slow InfluxDB still takes
 * smaller writes; a run of successes doubles it back towards `maxPoints`.
 */
export class WriteSize {
  private readonly state = new Map<string, { halvings: number; successes: number }>();

  constructor(private readonly policy: WriteSizePolicy) {}

  of(key: string): number {
    const halvings = this.state.get(key)?.halvings ?? 0;
    return Math.max(1, Math.ceil(this.policy.maxPoints / 2 ** halvings));
  }

  timedOut(key: string): void {
    const halvings = Math.min(this.policy.maxHalvings, (this.state.get(key)?.halvings ?? 0) + 1);
    this.state.set(key, { halvings, successes: 0 });
  }

  succeeded(key: string): void {
    const state = this.state.get(key);
    if (!state) return;
    state.successes += 1;
    if (state.successes < this.policy.recoverAfter) return;
    if (state.halvings <= 1) this.state.delete(key);
    else this.state.set(key, { halvings: state.halvings - 1, successes: 0 });
  }
}
