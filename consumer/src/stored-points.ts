// Reads which points a shard already holds in a time range (their series, time
// and event id), for the point placer: one Flux query over the `id` field only.
import { FIELD, MEASUREMENT, SLOTS_PER_MS, TAG } from '@eventline/contract';
import { flux, fluxDateTime, fluxString, type InfluxDB } from '@influxdata/influxdb-client';
import { ConsumerError } from './errors.ts';
import { classifyWriteError } from './influx-writer.ts';
import type { StoredPoint } from './point-placer.ts';

export interface StoredPointReaderOptions {
  client: InfluxDB;
  org: string;
  bucket: string;
}

/** The points of `shard`, and those written before shards existed, with point times in [fromMs, toMs). */
export type StoredPointReader = (shard: number, fromMs: number, toMs: number) => Promise<StoredPoint[]>;

const RFC3339 = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/** `2026-12-06T13:40:00.123000042Z` → ms 1 796 564 000 123 and slot 42. */
export function splitPointTime(text: string): { ms: number; slot: number } {
  const match = RFC3339.exec(text);
  if (!match)
    throw new ConsumerError('CONSUMER_INFLUX_UNAVAILABLE', `InfluxDB answered a time that is not RFC 3339: ${text}`);
  const nanos = Number((match[2] ?? '').padEnd(9, '0'));
  return { ms: Date.parse(`${match[1]}Z`) + Math.floor(nanos / SLOTS_PER_MS), slot: nanos % SLOTS_PER_MS };
}

const msToFlux = (ms: number) => fluxDateTime(new Date(ms).toISOString());

export function createStoredPointReader(options: StoredPointReaderOptions): StoredPointReader {
  const api = options.client.getQueryApi(options.org);
  return async (shard, fromMs, toMs) => {
    const query = flux`from(bucket: ${fluxString(options.bucket)})
  |> range(start: ${msToFlux(fromMs)}, stop: ${msToFlux(toMs)})
  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)} and r._field == ${fluxString(FIELD.id)})
  |> filter(fn: (r) => not exists r[${fluxString(TAG.shard)}] or r[${fluxString(TAG.shard)}] == ${fluxString(String(shard))})
  |> keep(columns: ["_time", "_value", ${fluxString(TAG.site)}, ${fluxString(TAG.type)}, ${fluxString(TAG.shard)}])`;
    const points: StoredPoint[] = [];
    try {
      for await (const { values, tableMeta } of api.iterateRows(query)) {
        const row = tableMeta.toObject(values) as Record<string, unknown>;
        const shardTag = row[TAG.shard];
        points.push({
          site: String(row[TAG.site]),
          type: String(row[TAG.type]),
          shard: typeof shardTag === 'string' && shardTag !== '' ? Number(shardTag) : undefined,
          ...splitPointTime(String(row['_time'])),
          id: String(row['_value']),
        });
      }
    } catch (error) {
      if (error instanceof ConsumerError) throw error;
      const verdict = classifyWriteError(error);
      throw verdict.kind === 'failed'
        ? verdict.error
        : new ConsumerError('CONSUMER_INFLUX_UNAVAILABLE', verdict.reason, { cause: error });
    }
    return points;
  };
}
