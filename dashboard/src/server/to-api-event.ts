// Maps a pivoted InfluxDB row (one column per field of the storage schema) to
// the event shape the read API returns. Absent fields come back from Flux as
// empty strings or nulls; both mean "not recorded" and are left out.
import { FIELD, TAG, type Element } from '@eventline/contract';
import type { ApiEvent } from '@eventline/contract/read-api';

type Row = Record<string, unknown>;

function text(row: Row, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function number(row: Row, column: string): number | undefined {
  const value = row[column];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function boolean(row: Row, column: string): boolean | undefined {
  const value = row[column];
  return typeof value === 'boolean' ? value : undefined;
}

function json<T>(row: Row, column: string): T | undefined {
  const raw = text(row, column);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

/** Drops undefined members so the JSON stays small and `in` checks stay honest. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function toApiEvent(row: Row): ApiEvent {
  const tag = text(row, FIELD.elementTag);
  const element: Element | undefined = tag
    ? compact({
        tag,
        id: text(row, FIELD.elementId),
        name: text(row, FIELD.elementName),
        selector: text(row, FIELD.elementSelector) ?? '',
        text: text(row, FIELD.elementText),
        attributes: json<Record<string, string>>(row, FIELD.elementAttributes),
        inputType: text(row, FIELD.elementInputType),
        checked: boolean(row, FIELD.elementChecked),
        valueLength: number(row, FIELD.elementValueLength),
        changed: boolean(row, FIELD.elementChanged),
        value: text(row, FIELD.elementValue),
        href: text(row, FIELD.elementHref),
      })
    : undefined;
  const engagedMs = number(row, FIELD.engagedMs);
  const scrollDepth = number(row, FIELD.scrollDepth);
  return compact({
    id: text(row, FIELD.id) ?? '',
    time: String(row['_time']),
    type: text(row, TAG.type) ?? '',
    site: text(row, TAG.site) ?? '',
    name: text(row, FIELD.name) ?? '',
    seq: number(row, FIELD.seq),
    anonymousId: text(row, FIELD.anonymousId),
    sessionId: text(row, FIELD.sessionId),
    tabId: text(row, FIELD.tabId),
    userId: text(row, FIELD.userId),
    page: compact({
      url: text(row, FIELD.url),
      path: text(row, FIELD.path),
      title: text(row, FIELD.title),
      referrer: text(row, FIELD.referrer),
    }),
    element,
    properties: json<Record<string, unknown>>(row, FIELD.properties),
    engagement: engagedMs !== undefined && scrollDepth !== undefined ? { engagedMs, scrollDepth } : undefined,
    clientTimestamp: number(row, FIELD.clientTimestamp),
    receivedAt: number(row, FIELD.receivedAt),
    userAgent: compact({
      browser: text(row, FIELD.browser),
      browserVersion: text(row, FIELD.browserVersion),
      os: text(row, FIELD.os),
      device: text(row, FIELD.device),
    }),
  });
}
