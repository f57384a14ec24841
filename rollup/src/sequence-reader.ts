// Reads the sequence rollups of a range back (sequence-runs.ts, stored in parts
// by hour-parts.ts), or says they cannot answer for it.
import type { InfluxQL } from './influxql.ts';
import { readHours, type DecodedHour } from './hour-parts.ts';
import type { RollupCache } from './rollup-cache.ts';
import { SEQUENCES, type HourSequenceRuns } from './sequence-runs.ts';

/** One hour's entries. */
export type SequenceHour = DecodedHour<HourSequenceRuns>;

/**
 * The entries of every hour of `site` in [from, to) (whole hours), or undefined when an hour with rolled-up events
 * has no sequence rollup or lacks one of its parts.
 */
export function readSequenceHours(
  influxql: InfluxQL,
  rollupPolicy: string,
  query: { site: string; from: number; to: number },
  cache?: RollupCache,
): Promise<SequenceHour[] | undefined> {
  return readHours(influxql, rollupPolicy, SEQUENCES, query, cache);
}
