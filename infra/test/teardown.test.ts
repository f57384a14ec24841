import { describe, expect, it } from 'vitest';
import { createTeardown } from '../src/teardown.ts';

describe('createTeardown', () => {
  it('stops what already started, newest first, when a later start fails, and rethrows that failure', async () => {
    const stopped: string[] = [];
    const started = createTeardown();
    const failure = new Error('consumer did not become ready');
    const result = started.guard(async () => {
      started.add(async () => void stopped.push('kafka'));
      started.add(async () => void stopped.push('influxdb'));
      started.add(async () => void stopped.push('ingest'));
      throw failure;
    });
    await expect(result).rejects.toBe(failure);
    expect(stopped).toEqual(['ingest', 'influxdb', 'kafka']);
  });

  it('keeps stopping the rest and reports the start failure when one stop fails', async () => {
    const stopped: string[] = [];
    const started = createTeardown();
    const result = started.guard(async () => {
      started.add(async () => void stopped.push('kafka'));
      started.add(async () => {
        throw new Error('influxd would not stop');
      });
      throw new Error('ingest did not start');
    });
    await expect(result).rejects.toThrow('ingest did not start');
    expect(stopped).toEqual(['kafka']);
  });

  it('stops nothing when every start succeeds', async () => {
    const stopped: string[] = [];
    const started = createTeardown();
    const value = await started.guard(async () => {
      started.add(async () => void stopped.push('kafka'));
      return 'up';
    });
    expect(value).toBe('up');
    expect(stopped).toEqual([]);
  });
});
