// The public hook for what the SDK is doing. Reports are dispatched as a
// `CustomEvent` on `window`, so any script can listen, even before the SDK has
// loaded, and a listener that throws is reported by the browser (window
// `error`) without ever interrupting capture or delivery.
import type { Report, ReportListener } from './types.ts';

export const REPORT_EVENT = 'eventline:report';

export function report(detail: Report): void {
  try {
    dispatchEvent(new CustomEvent(REPORT_EVENT, { detail }));
  } catch {
    // Browsers report a listener's error themselves and carry on; this covers
    // DOM stand-ins that rethrow (test environments) and missing CustomEvent.
  }
}

/** Calls `listener` with every report until the returned function is called. */
export function onReport(listener: ReportListener): () => void {
  const handle = (e: CustomEvent<Report>): void => listener(e.detail);
  addEventListener(REPORT_EVENT, handle);
  return () => removeEventListener(REPORT_EVENT, handle);
}
