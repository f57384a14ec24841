// Reads the sequence rollups of a range back (sequence-runs.ts), and says when
// they cannot answer for it: an hour the rollups counted events in has no
// sequence rollup when it was rolled up before these existed (until a backfill
// recomputes it), and then only the raw events can.
import { ALL_DIMENSION, ROLLUP_FIELD, ROLLUP_TAG, SEQUENCE_ROLLUP } from '@eventline/contract';
import { ident, type InfluxQL } from './influxql.ts';
import { IN_RANGE, rollupSelect } from './rollup-select.ts';
import { decodePart, type SequenceEntry } from './sequence-runs.ts';
import { timeParams } from './write-bucket.ts';

/** One hour's entries. */
export interface SequenceHour {
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  entries: SequenceEntry[];
}

/**
 * The entries of every hour of `site` in [from, to) (whole hours), or undefined when an hour with rolled-up events
 * has no sequence rollup or lacks one of its parts.
 */
export async function readSequenceHours(
  influxql: InfluxQL,
  rollupPolicy: string,
  query: { site: string; from: number; to: number },
): Promise<SequenceHour[] | undefined> {
  const params = timeParams(query.site, query.from, query.to);
  const { measurement, tag, field } = SEQUENCE_ROLLUP;
  const sequences = `SELECT ${ident(field.runs)},${ident(field.parts)}
    FROM ${ident(influxql.database)}.${ident(rollupPolicy)}.${ident(measurement)}
    WHERE ${ident(tag.site)} = $site AND ${IN_RANGE} GROUP BY ${ident(tag.part)}`;
  const parts = new Map<number, { parts: number; stored: Map<number, string> }>();
  for await (const chunk of influxql.rows(sequences, params))
    for (const row of chunk) {
      const hour = Number(row['time']);
      let stored = parts.get(hour);
      if (!stored) parts.set(hour, (stored = { parts: 0, stored: new Map() }));
      const index = Number(row[tag.part]);
      // Every part says how many the hour has; the first is rewritten by each recompute, so it is the one to believe.
      if (index === 0) stored.parts = Number(row[field.parts]);
      stored.stored.set(index, String(row[field.runs] ?? ''));
    }

  const counted = rollupSelect(influxql, {
    rollupPolicy,
    grain: 'hour',
    fields: [ROLLUP_FIELD.events],
    where: [`${ident(ROLLUP_TAG.site)} = $site`, `${ident(ROLLUP_TAG.dimension)} = $all`, IN_RANGE],
    groupBy: [ROLLUP_TAG.audience],
  });
  for await (const chunk of influxql.rows(counted, { ...params, all: ALL_DIMENSION }))
    for (const row of chunk) if (Number(row[ROLLUP_FIELD.events]) > 0 && !parts.get(Number(row['time']))?.parts) return;

  const hours: SequenceHour[] = [];
  for (const [hour, { parts: count, stored }] of parts) {
    const texts = Array.from({ length: count }, (_, i) => stored.get(i));
    // A part not there yet (its write still under way) would leave sequences out.
    if (texts.some((text) => text === undefined)) return;
    hours.push({ hour, entries: texts.flatMap((text) => decodePart(text!)) });
  }
  return hours;
}
