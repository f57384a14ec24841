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
    let part: string[] = [];
    // Brackets and commas: 1 byte per event plus one.
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
  }
  return records;
}
