import { describe, expect, it } from 'vitest';
import { interpret } from '../src/pages/monitor.ts';

const info = (...args: unknown[]) => ({ level: 'info' as const, at: 0, text: '[eventline]', args });

describe('live panel reading the SDK debug output', () => {
  it('reads beacons, batch outcomes and drops from their debug lines', () => {
    expect(interpret(info('beacon', 3, true))).toEqual({ kind: 'beacon', count: 3, ok: true });
    expect(interpret(info('beacon', 2, false))).toEqual({ kind: 'beacon', count: 2, ok: false });
    expect(interpret(info('POST 4 event(s) → ok', { kind: 'ok', rejected: [{ index: 1 }] }, []))).toEqual({ kind: 'batch', count: 4, outcome: 'ok', rejected: 1 });
    expect(interpret(info('POST 2 event(s) → retry', { kind: 'retry', reason: 'network: Failed to fetch' }, []))).toEqual({ kind: 'batch', count: 2, outcome: 'retry', rejected: 0 });
    expect(interpret(info('dropped 5 event(s): HTTP 400'))).toEqual({ kind: 'dropped', count: 5, reason: 'HTTP 400' });
  });

  it('shows other lines and warnings as text', () => {
    expect(interpret(info('resending', { n: 4 }))).toEqual({ kind: 'other', message: 'resending {"n":4}' });
    expect(interpret({ level: 'warn', at: 0, text: '[eventline] beacons only: no worker', args: [] })).toEqual({ kind: 'warning', message: 'beacons only: no worker' });
  });
});
