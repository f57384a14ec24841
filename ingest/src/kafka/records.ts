// The record format on the events topic (contract/src/record.ts): one record
// per visitor per request, holding that visitor's events as a JSON array in the
// request's order, split where a record would exceed the size bound. Kafka's
// per-record work (framing, CRC, varints, the idempotent sequence) then happens
// once per request instead of once per event, while a visitor's events still
// share one key, so one partition, in order.
import { RECORD_MAX_BYTES } from '@eventline/contract';
import type { SinkMessage } from './event-sink.ts';

export interface KeyedEvent {
  /** The anonymous id. */
  key: string;
  /** The serialized EnrichedEvent. */
  value: string;
}

/** The records for one request's valid events; `maxBytes` bounds each value (UTF-8). Default: RECORD_MAX_BYTES */
export function toRecords(
  events: readonly KeyedEvent[],
  headers: Record<string, string>,
  maxBytes: number = RECORD_MAX_BYTES,
): SinkMessage[] {
  const byKey = new Map<string, string[]>();
  for (const { key, value } of events) {
    const values = byKey.get(key);
    if (values) values.push(value);
    else byKey.set(key, [value]);
  }
  const records: SinkMessage[] = [];
  for (const [key, values] of byKey) {
    if (fitsWhole(values, maxBytes)) records.push({ key, value: `[${values.join(',')}]`, headers });
    else records.push(...split(key, values, headers, maxBytes));
  }
  return records;
}

/**
 * A UTF-16 code unit is at most 3 bytes of UTF-8, so a visitor's values whose length bound fits are never split and
 * need no byte counting (by far the common case: a request's events are a fraction of the bound).
 */
function fitsWhole(values: readonly string[], maxBytes: number): boolean {
  // Brackets and commas: 1 byte per event plus one.
  let units = 1;
  for (const value of values) units += value.length + 1;
  return units * 3 <= maxBytes;
}

function split(
  key: string,
  values: readonly string[],
  headers: Record<string, string>,
  maxBytes: number,
): SinkMessage[] {
  const records: SinkMessage[] = [];
  let part: string[] = [];
  let bytes = 1;
  for (const value of values) {
    const size = Buffer.byteLength(value) + 1;
    if (part.length > 0 && bytes + size > maxBytes) {
      records.push({ key, value: `[${part.join(',')}]`, headers });
      part = [];
      bytes = 1;
    }
    part.push(value);
    bytes += size;
  }
  records.push({ key, value: `[${part.join(',')}]`, headers });
  return records;
}
