import { describe, expect, it } from 'vitest';
import { percentComplete } from '../src/ui/format.ts';

describe('completeness percentage', () => {
  it('never rounds an incomplete ratio up to 100 %', () => {
    expect(percentComplete(1)).toBe('100 %');
    expect(percentComplete(0.99999)).toBe('99.9 %');
    expect(percentComplete(19 / 22)).toBe('86.3 %');
    expect(percentComplete(0)).toBe('0.0 %');
  });

  it('shows a dash when nothing is expected', () => {
    expect(percentComplete(null)).toBe('—');
  });
});
