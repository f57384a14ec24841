import { describe, expect, it } from 'vitest';
import { eventually, sleep } from '../src/wait.ts';

describe('eventually', () => {
  it('returns once the probe holds, counting a throwing probe as not yet', async () => {
    let calls = 0;
    await eventually(
      'the third call',
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not up yet');
        return calls >= 3;
      },
      10_000,
      1,
    );
    expect(calls).toBe(3);
  });

  it('fails naming what never happened', async () => {
    await expect(eventually('the moon to turn blue', () => false, 50, 5)).rejects.toThrow(
      /timed out after 50 ms waiting for the moon to turn blue/,
    );
  });
});

describe('sleep', () => {
  it('waits at least the given time', async () => {
    const started = performance.now();
    await sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});
