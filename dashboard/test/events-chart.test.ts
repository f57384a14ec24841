import { describe, expect, it } from 'vitest';
import { stack } from '../src/ui/components/events-chart.tsx';

describe('stacked chart data', () => {
  it('turns counts per type into running totals per bucket', () => {
    expect(
      stack([
        [1, 0, 2],
        [0, 3, 1],
        [4, 0, 0],
      ]),
    ).toEqual([
      [1, 0, 2],
      [1, 3, 3],
      [5, 3, 3],
    ]);
    expect(stack([])).toEqual([]);
  });
});
