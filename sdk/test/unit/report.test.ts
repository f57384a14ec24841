// @vitest-environment happy-dom
// The public report hook on its own: a window event any script can listen to,
// and the typed onReport() over it.
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { onReport, report, REPORT_EVENT } from '../../src/report.ts';
import type { Report } from '../../src/types.ts';

const sample: Report = { kind: 'retry', count: 2, ids: ['a', 'b'], delay: 1_000, reason: 'HTTP 503' };

afterEach(() => vi.restoreAllMocks());

describe('report hook', () => {
  it('gives every report to onReport listeners until they unsubscribe', () => {
    const seen: Report[] = [];
    const unsubscribe = onReport((r) => seen.push(r));
    report(sample);
    unsubscribe();
    report({ kind: 'sent', count: 1, ids: ['c'] });
    expect(seen).toEqual([sample]);
  });

  it('dispatches the same report on window as the eventline:report event, typed by WindowEventMap', () => {
    let detail: Report | undefined;
    const listener = (e: WindowEventMap['eventline:report']): void => void (detail = e.detail);
    addEventListener(REPORT_EVENT, listener);
    report(sample);
    removeEventListener(REPORT_EVENT, listener);
    expect(REPORT_EVENT).toBe('eventline:report');
    expect(detail).toEqual(sample);
  });

  it('never lets a throwing listener reach the SDK or the other listeners', () => {
    // As in browsers: a listener's error is reported (window `error`), not rethrown.
    const { settings } = (window as unknown as { happyDOM: { settings: { disableErrorCapturing: boolean } } }).happyDOM;
    settings.disableErrorCapturing = false;
    onTestFinished(() => void (settings.disableErrorCapturing = true));
    const onError = vi.fn((e: ErrorEvent) => e.preventDefault());
    addEventListener('error', onError);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: Report[] = [];
    const stopBad = onReport(() => {
      throw new Error('listener bug');
    });
    const stopGood = onReport((r) => seen.push(r));
    expect(() => report(sample)).not.toThrow();
    stopBad();
    stopGood();
    removeEventListener('error', onError);
    expect(seen).toEqual([sample]);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0].error).toMatchObject({ message: 'listener bug' });
  });

  it('does not throw into the SDK even where the DOM rethrows a listener error', () => {
    const stop = onReport(() => {
      throw new Error('listener bug');
    });
    expect(() => report(sample)).not.toThrow();
    stop();
  });
});
