import { describe, expect, it } from 'vitest';
import { interpret } from '../src/pages/monitor.ts';

const info = (...args: unknown[]) => ({ level: 'info' as const, at: 0, text: '[eventline]', args });

describe('live panel reading the SDK debug output', () => {
  it('counts beacons, retries and drops from their debug lines', () => {
    expect(interpret(info('beacon', 3, true))).toEqual({ kind: 'beacon', count: 3, ok: true });
    expect(interpret(info('beacon', 2, false))).toEqual({ kind: 'beacon', count: 2, ok: false });
    expect(interpret(info('retry', { type: 'retry', ids: ['a', 'b'], delay: 500, reason: 'network: Failed to fetch' }))).toEqual({ kind: 'retry', count: 2, reason: 'network: Failed to fetch' });
    expect(interpret(info('dropped', { type: 'dropped', ids: ['a'], reason: 'rejected' }))).toEqual({ kind: 'dropped', count: 1, reason: 'rejected' });
  });

  it('shows other lines and warnings as text', () => {
    expect(interpret(info('resending', { n: 4 }))).toEqual({ kind: 'other', message: 'resending {"n":4}' });
    expect(interpret({ level: 'warn', at: 0, text: '[eventline] beacons only: no worker', args: [] })).toEqual({ kind: 'warning', message: 'beacons only: no worker' });
  });
});
