import { describe, expect, it } from 'vitest';
import { BatchSchema, LIMITS } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { Compile } from 'typebox/compile';
import { envelope, takeBatch, utf8Bytes } from '../../src/queue/batch.ts';

const item = (bytes: number) => ({ json: 'x'.repeat(bytes), bytes });

describe('batching limits', () => {
  it('never puts more than 500 events in one batch, whatever batchSize asks', () => {
    const items = Array.from({ length: 1_200 }, () => item(10));
    expect(takeBatch(items, 10_000)).toHaveLength(LIMITS.batchEvents);
    expect(takeBatch(items, 20)).toHaveLength(20);
  });

  it('keeps every body, envelope included, under the 64 KiB beacon limit', () => {
    const items = Array.from({ length: 100 }, () => item(3_000));
    const batch = takeBatch(items, 500);
    const body = envelope(
      'k'.repeat(128),
      Date.now(),
      batch.map((i) => i.json),
    );
    expect(batch.length).toBeGreaterThan(1);
    expect(utf8Bytes(body)).toBeLessThanOrEqual(LIMITS.beaconBytes);
    expect(
      utf8Bytes(
        envelope(
          'k'.repeat(128),
          Date.now(),
          takeBatch(items, 500)
            .concat(items[0]!)
            .map((i) => i.json),
        ),
      ),
    ).toBeGreaterThan(LIMITS.beaconBytes);
  });

  it('always takes at least one event so a large one cannot block the queue', () => {
    expect(takeBatch([item(100_000), item(1)], 500)).toHaveLength(1);
    expect(takeBatch([], 500)).toEqual([]);
  });

  it('builds a body that is a valid Batch', () => {
    const events = [sampleEvent(), sampleEvent({ name: 'ünïcødé ✓' })];
    const body = envelope(
      'key',
      123,
      events.map((e) => JSON.stringify(e)),
    );
    const parsed: unknown = JSON.parse(body);
    expect(Compile(BatchSchema).Check(parsed)).toBe(true);
    expect(parsed).toEqual({ writeKey: 'key', sentAt: 123, events });
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(utf8Bytes('é✓')).toBe(5);
  });
});
