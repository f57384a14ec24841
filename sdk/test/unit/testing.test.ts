// @vitest-environment happy-dom
import { describe, expect, it, onTestFinished } from 'vitest';
import { report } from '../../src/report.ts';
import { recordCaptured } from '../../src/testing.ts';
import type { CapturedEvent } from '../../src/types.ts';

const event = { id: 'e1', type: 'click', name: 'buy' } as CapturedEvent;

describe('recordCaptured', () => {
  it('records the events that captured reports carry in debug mode, found by example', () => {
    const captured = recordCaptured();
    onTestFinished(captured.stop);
    report({ kind: 'captured', count: 1, ids: ['e1'], event });
    report({ kind: 'queued', count: 1, ids: ['e1'] });
    expect(captured.events({ name: 'buy' })).toEqual([event]);
  });

  it('says that it needs debug mode when captured reports carry no event', () => {
    const captured = recordCaptured();
    onTestFinished(captured.stop);
    report({ kind: 'captured', count: 1, ids: ['e1'] });
    expect(() => captured.events()).toThrow(/debug: true/);
  });
});
