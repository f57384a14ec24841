import { describe, expect, it } from 'vitest';
import { waitUntilSettled, type SettleProbe } from '../src/load/oracle.ts';

/** A probe that replays `readings` ([lag, stored] per poll) and then repeats the last one. */
function scripted(readings: Array<[lag: number | Error, stored: number]>): SettleProbe & { polls: () => number } {
  let poll = 0;
  const at = () => readings[Math.min(poll, readings.length - 1)]!;
  return {
    async lag() {
      const [lag] = at();
      if (lag instanceof Error) throw lag;
      return lag;
    },
    async stored() {
      const [, stored] = at();
      poll++;
      return stored;
    },
    polls: () => poll,
  };
}

const fast = { settleMs: 50, timeoutMs: 2_000, intervalMs: 10 };

describe('waitUntilSettled', () => {
  it('does not stop at the expected count while the consumer still lags, so a late duplicate is counted', async () => {
    // The count reaches 100 while 3 messages (a redelivered batch) are still in Kafka; they land as a duplicate.
    const probe = scripted([
      [40, 60],
      [3, 100],
      [3, 100],
      [0, 101],
    ]);
    const result = await waitUntilSettled(probe, { expected: 100, ...fast });
    expect(result).toEqual({ settled: true, stored: 101, lag: 0 });
  });

  it('waits out the settle period after lag reaches 0 and restarts it when the count moves', async () => {
    const probe = scripted([
      [0, 100],
      [0, 100],
      [0, 101],
      [0, 101],
    ]);
    const started = Date.now();
    const result = await waitUntilSettled(probe, { expected: 100, ...fast });
    expect(result.stored).toBe(101);
    expect(Date.now() - started).toBeGreaterThanOrEqual(fast.settleMs);
    expect(probe.polls()).toBeGreaterThan(4);
  });

  it('never takes an unreadable lag for 0, and says so when the time runs out', async () => {
    const probe = scripted([[new Error('broker down'), 100]]);
    const result = await waitUntilSettled(probe, { expected: 100, settleMs: 20, timeoutMs: 200, intervalMs: 10 });
    expect(result.settled).toBe(false);
    expect(result.lag).toBeNaN();
    expect(result.stored).toBe(100);
  });

  it('is not settled below the expected count even with no lag', async () => {
    const result = await waitUntilSettled(scripted([[0, 99]]), {
      expected: 100,
      settleMs: 20,
      timeoutMs: 200,
      intervalMs: 10,
    });
    expect(result).toEqual({ settled: false, stored: 99, lag: 0 });
  });
});
