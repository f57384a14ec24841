import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { takeChunk } from '../src/consumer.ts';

/** A decoded record of `events` events at `offset`; only the counts matter to chunking. */
function record(offset: number, events: number) {
  const message = { offset: String(offset) } as KafkaMessage;
  return { message, events: Array.from({ length: events }, () => ({}) as never), letters: [] };
}

function chunks(sizes: number[], maxEvents: number): string[][] {
  const records = sizes.map((size, offset) => record(offset, size))[Symbol.iterator]();
  const out: string[][] = [];
  let carried;
  for (;;) {
    const taken = takeChunk(records, maxEvents, carried);
    carried = taken.carried;
    if (taken.chunk.messages.length === 0) return out;
    out.push(taken.chunk.messages.map((m) => m.offset));
  }
}

describe('takeChunk', () => {
  it('fills a chunk with whole records up to the event limit, in offset order', () => {
    expect(chunks([30, 30, 30, 30, 30], 70)).toEqual([['0', '1'], ['2', '3'], ['4']]);
  });

  it('gives a record of more events than the limit a chunk of its own', () => {
    expect(chunks([10, 500, 10], 100)).toEqual([['0'], ['1'], ['2']]);
  });

  it('counts records without events (dead letters) as taking no room', () => {
    expect(chunks([0, 0, 5, 0], 5)).toEqual([['0', '1', '2', '3']]);
  });
});
