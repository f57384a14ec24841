// The live panel's model: the SDK's delivery reports (its public hook, buffered
// from the start of the page by public/sdk-monitor.js) turned into counters and
// log lines. Pure, so it is unit tested without a browser.
import type { CapturedEvent, Report } from '@eventline/sdk';

/** What public/sdk-monitor.js buffers: a report of the SDK, or one of its `[eventline]` console warnings (debug mode). */
export type MonitorRecord = { at: number; report: Report } | { at: number; warning: string };

export interface Monitor {
  records: MonitorRecord[];
  /** Replays the buffered records, then passes on every new one. */
  subscribe(listener: (record: MonitorRecord) => void): void;
}

export interface Counters {
  /** Events the SDK captured on the main thread. */
  captured: number;
  /** Events waiting in the worker's queue now (handed over, or waiting for a retry), not on the network. */
  queued: number;
  /** Events put on the network, counted once per attempt. */
  sent: number;
  /** Events ingest answered 2xx for. */
  acknowledged: number;
  /** Events whose request failed and will be sent again. */
  retries: number;
  dropped: number;
  /** Events sent with navigator.sendBeacon as the page was hidden or left. */
  beaconed: number;
}

export interface LogLine {
  label: string;
  detail: string;
  /** CSS class of the line. */
  kind: string;
}

const plural = (count: number): string => `${count} event${count === 1 ? '' : 's'}`;

/** A short description of a captured event: what was clicked, left or toggled, or where the page is. */
export function describeEvent(event: CapturedEvent): string {
  const { element } = event;
  switch (event.type) {
    case 'pageview':
      return `page view ${event.page.path}`;
    case 'click':
      return `click ${element?.text ? `“${element.text}”` : (element?.selector ?? '')}${event.name === 'click' ? '' : ` (${event.name})`}`;
    case 'input':
      return `input ${element?.selector ?? ''}${element?.valueLength === undefined ? '' : `, ${element.valueLength} characters`}${element?.changed ? ', changed' : ''}`;
    case 'change':
      return `toggle ${element?.selector ?? ''} → ${element?.checked ? 'checked' : 'unchecked'}`;
    default:
      return `${event.type} ${event.name}`;
  }
}

export function createPanelModel() {
  const counters: Counters = { captured: 0, queued: 0, sent: 0, acknowledged: 0, retries: 0, dropped: 0, beaconed: 0 };
  /** Ids in the worker's queue and not on the network. */
  const waiting = new Set<string>();
  const settle = (ids: string[]): void => ids.forEach((id) => waiting.delete(id));

  /** Updates the counters; returns the line to log, if the record deserves one. */
  function apply(record: MonitorRecord): LogLine | undefined {
    if ('warning' in record) return { label: 'warning', detail: record.warning, kind: 'warning' };
    const { report } = record;
    let line: LogLine | undefined;
    switch (report.kind) {
      case 'captured':
        counters.captured += report.count;
        // The event itself comes with the report in debug mode only (the demo's pages run in it).
        line = {
          label: 'captured',
          detail: report.event ? describeEvent(report.event) : plural(report.count),
          kind: 'captured',
        };
        break;
      case 'queued':
        report.ids.forEach((id) => waiting.add(id));
        break;
      case 'sent':
        counters.sent += report.count;
        settle(report.ids);
        line = { label: 'sent', detail: plural(report.count), kind: 'sent' };
        break;
      case 'delivered':
        counters.acknowledged += report.count;
        settle(report.ids);
        line = { label: 'acked', detail: `${plural(report.count)} by ingest`, kind: 'delivered' };
        break;
      case 'retry':
        counters.retries += report.count;
        report.ids.forEach((id) => waiting.add(id));
        line = {
          label: 'retry',
          detail: `${plural(report.count)} in ${(report.delay / 1000).toFixed(1)} s: ${report.reason}`,
          kind: 'retry',
        };
        break;
      case 'dropped':
        counters.dropped += report.count;
        settle(report.ids);
        line = { label: 'dropped', detail: `${plural(report.count)}: ${report.reason}`, kind: 'dropped' };
        break;
      case 'beacon':
        counters.beaconed += report.count;
        settle(report.ids);
        line = { label: 'beacon', detail: plural(report.count), kind: 'beacon' };
        break;
    }
    counters.queued = waiting.size;
    return line;
  }

  return { counters, apply };
}
