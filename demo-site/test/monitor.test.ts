import { describe, expect, it } from 'vitest';
import type { CapturedEvent, Report } from '@eventline/sdk';
import { sampleEvent } from '@eventline/contract/testing';
import { createPanelModel, describeEvent } from '../src/browser/monitor.ts';

const at = 0;
const click = sampleEvent({
  id: 'e1',
  type: 'click',
  name: 'click',
  element: { tag: 'button', selector: '#demo-button', text: 'Click me' },
}) as CapturedEvent;
const reports: Report[] = [
  { kind: 'captured', count: 1, ids: ['e1'], event: click },
  { kind: 'queued', count: 1, ids: ['e1'] },
  { kind: 'captured', count: 1, ids: ['e2'], event: { ...click, id: 'e2' } },
  { kind: 'queued', count: 1, ids: ['e2'] },
];

describe('live panel model', () => {
  it('counts events captured, waiting in the queue, sent and acknowledged as the reports arrive', () => {
    const { counters, apply } = createPanelModel();
    for (const report of reports) apply({ at, report });
    expect(counters).toMatchObject({ captured: 2, queued: 2, sent: 0, acknowledged: 0 });
    apply({ at, report: { kind: 'sent', count: 2, ids: ['e1', 'e2'] } });
    expect(counters).toMatchObject({ queued: 0, sent: 2 });
    apply({ at, report: { kind: 'retry', count: 2, ids: ['e1', 'e2'], delay: 1_500, reason: 'HTTP 503' } });
    expect(counters).toMatchObject({ queued: 2, retries: 2 });
    apply({ at, report: { kind: 'sent', count: 2, ids: ['e1', 'e2'] } });
    apply({ at, report: { kind: 'dropped', count: 1, ids: ['e2'], reason: 'rejected' } });
    apply({ at, report: { kind: 'delivered', count: 1, ids: ['e1'] } });
    expect(counters).toEqual({ captured: 2, queued: 0, sent: 4, acknowledged: 1, retries: 2, dropped: 1, beaconed: 0 });
  });

  it('takes beaconed events out of the queue', () => {
    const { counters, apply } = createPanelModel();
    for (const report of reports) apply({ at, report });
    apply({ at, report: { kind: 'beacon', count: 2, ids: ['e1', 'e2'] } });
    expect(counters).toMatchObject({ queued: 0, beaconed: 2 });
  });

  it('logs each step except the hand-over to the queue, and the SDK warnings', () => {
    const { apply } = createPanelModel();
    expect(apply({ at, report: reports[0]! })).toEqual({
      label: 'captured',
      detail: 'click “Click me”',
      kind: 'captured',
    });
    expect(apply({ at, report: reports[1]! })).toBeUndefined();
    expect(
      apply({
        at,
        report: { kind: 'retry', count: 3, ids: ['a', 'b', 'c'], delay: 2_000, reason: 'network: Failed to fetch' },
      }),
    ).toEqual({
      label: 'retry',
      detail: '3 events in 2.0 s: network: Failed to fetch',
      kind: 'retry',
    });
    expect(apply({ at, report: { kind: 'delivered', count: 1, ids: ['e1'] } })?.detail).toBe('1 event by ingest');
    expect(apply({ at, warning: 'main-thread delivery: worker refused' })).toEqual({
      label: 'warning',
      detail: 'main-thread delivery: worker refused',
      kind: 'warning',
    });
  });

  it('describes captured events by what the visitor did, never by what they typed', () => {
    const input = {
      ...click,
      type: 'input',
      name: 'input',
      element: { tag: 'input', selector: '#demo-text', valueLength: 11, changed: true },
    } as CapturedEvent;
    expect(describeEvent(input)).toBe('input #demo-text, 11 characters, changed');
    const toggle = {
      ...click,
      type: 'change',
      name: 'change',
      element: { tag: 'input', selector: '#demo-checkbox', checked: true },
    } as CapturedEvent;
    expect(describeEvent(toggle)).toBe('toggle #demo-checkbox → checked');
    expect(describeEvent({ ...click, name: 'add-to-cart' })).toBe('click “Click me” (add-to-cart)');
    expect(
      describeEvent({
        ...click,
        type: 'pageview',
        name: 'pageview',
        page: { url: 'http://x/products', path: '/products' },
      }),
    ).toBe('page view /products');
    expect(describeEvent({ ...click, type: 'custom', name: 'Newsletter Signup' })).toBe('custom Newsletter Signup');
  });
});
