// CSV export of events (RFC 4180). Cells that a spreadsheet would run as a
// formula are prefixed with a quote: event text is visitor-controlled.
import type { ApiEvent } from '@eventline/contract/read-api';

export const CSV_COLUMNS: readonly [string, (event: ApiEvent) => string | number | boolean | undefined][] = [
  ['time', (e) => e.time],
  ['type', (e) => e.type],
  ['name', (e) => e.name],
  ['site', (e) => e.site],
  ['element_tag', (e) => e.element?.tag],
  ['element_selector', (e) => e.element?.selector],
  ['element_text', (e) => e.element?.text],
  ['element_checked', (e) => e.element?.checked],
  ['element_href', (e) => e.element?.href],
  ['page_path', (e) => e.page.path],
  ['page_url', (e) => e.page.url],
  ['page_title', (e) => e.page.title],
  ['session_id', (e) => e.sessionId],
  ['tab_id', (e) => e.tabId],
  ['anonymous_id', (e) => e.anonymousId],
  ['user_id', (e) => e.userId],
  ['properties', (e) => (e.properties ? JSON.stringify(e.properties) : undefined)],
  ['engaged_ms', (e) => e.engagement?.engagedMs],
  ['scroll_depth', (e) => e.engagement?.scrollDepth],
  ['id', (e) => e.id],
];

export function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;
}

export function csvRow(event: ApiEvent): string {
  return `${CSV_COLUMNS.map(([, get]) => csvCell(get(event))).join(',')}\r\n`;
}
