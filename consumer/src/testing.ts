// Raw points as the consumer writes them, for tests and benchmarks that fill
// InfluxDB directly: the consumer's own placer, stored-point reader and encoder,
// so every point carries its shard tag and slot like a real one.
import type { EnrichedEvent } from '@eventline/contract';
import { InfluxDB } from '@influxdata/influxdb-client';
import { ConsumerError } from './errors.ts';
import { createPointPlacer } from './point-placer.ts';
import { createStoredPointReader } from './stored-points.ts';
import { pointLine, preparePoint } from './to-point.ts';

export interface PointLinesOptions {
  /** The partition whose consumer writes the points. Default: 0 */
  shard?: number;
  /**
   * The InfluxDB the points go to (`bucket` is `database/policy`), read before placing in a millisecond the
   * placer has not seen, as the consumer does. Default: none, as if it held nothing of the shard.
   */
  influx?: { url: string; bucket: string };
}

/**
 * The lines the consumer of `shard` writes for `events` (in offset order). The returned function keeps one placer
 * across calls, each settled as after a commit. Throws when an event cannot be stored.
 */
export function pointLinesOf(options: PointLinesOptions = {}): (events: readonly EnrichedEvent[]) => Promise<string[]> {
  const shard = options.shard ?? 0;
  const { influx } = options;
  const placer = createPointPlacer({
    load: influx
      ? createStoredPointReader({
          client: new InfluxDB({ url: influx.url, token: '' }),
          org: '',
          bucket: influx.bucket,
        })
      : () => Promise.resolve([]),
  });
  return async (events) => {
    const prepared = events.map(preparePoint);
    const { placements, ticket } = await placer.place(shard, events);
    placer.settle(shard, ticket);
    return placements.map((placement, i) => {
      if (placement instanceof ConsumerError) throw placement;
      return pointLine(prepared[i]!, placement);
    });
  };
}

/** pointLinesOf(options) for one set of events. */
export function placedPointLines(events: readonly EnrichedEvent[], options: PointLinesOptions = {}): Promise<string[]> {
  return pointLinesOf(options)(events);
}
