import { describe, expect, it } from 'vitest';
import { spansAround } from '../src/server/event-reader.ts';

describe('spans a page of events is read in', () => {
  it('cuts at the largest gaps and covers every time', () => {
    expect(spansAround([100n, 1n, 2n, 3n, 50n, 51n], 3)).toEqual([
      [1n, 3n],
      [50n, 51n],
      [100n, 100n],
    ]);
    expect(spansAround([5n, 6n, 7n], 4)).toEqual([
      [5n, 5n],
      [6n, 6n],
      [7n, 7n],
    ]);
    expect(spansAround([9n], 4)).toEqual([[9n, 9n]]);
    expect(spansAround([1n, 2n, 3n, 1000n], 1)).toEqual([[1n, 1000n]]);
  });
});
