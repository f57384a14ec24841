// Cuts serialized events into request bodies within the contract's limits
// (events per batch, bytes per beacon), shared by the worker and the beacon path.
import { BATCH_EVENTS, BEACON_BYTES } from '../limits.ts';

export interface Sized {
  json: string;
  bytes: number;
}

/** Room for `{"writeKey":…,"sentAt":…,"events":[]}` with a 128-character key. */
const ENVELOPE_BYTES = 200;

const encoder = new TextEncoder();
export const utf8Bytes = (text: string): number => encoder.encode(text).length;

export function envelope(writeKey: string, sentAt: number, jsons: readonly string[]): string {
  return `{"writeKey":${JSON.stringify(writeKey)},"sentAt":${sentAt},"events":[${jsons.join(',')}]}`;
}

/** The longest prefix of `items` that fits one request; never empty when `items` is not. */
export function takeBatch<T extends Sized>(
  items: readonly T[],
  maxEvents: number,
  maxBytes: number = BEACON_BYTES,
): T[] {
  const batch: T[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const item of items) {
    if (batch.length >= Math.min(maxEvents, BATCH_EVENTS)) break;
    if (batch.length > 0 && bytes + item.bytes + 1 > maxBytes) break;
    batch.push(item);
    bytes += item.bytes + 1;
  }
  return batch;
}
