// The one shape of every InfluxQL read of rollup points: some fields of one
// grain's measurement, where every condition holds, per series of some tags.
import { ROLLUP_MEASUREMENTS, type RollupGrain } from '@eventline/contract';
import { ident, type InfluxQL } from './influxql.ts';

export interface RollupSelect {
  rollupPolicy: string;
  grain: RollupGrain;
  fields: readonly string[];
  /** Conditions joined with AND; values are bound parameters (`$name`), never spliced. */
  where: readonly string[];
  /** Tags the rows are grouped by (merged into each row by the client). */
  groupBy: readonly string[];
}

export function rollupSelect(influxql: Pick<InfluxQL, 'database'>, select: RollupSelect): string {
  const from = `${ident(influxql.database)}.${ident(select.rollupPolicy)}.${ident(ROLLUP_MEASUREMENTS[select.grain])}`;
  return `SELECT ${select.fields.map(ident).join(',')} FROM ${from} WHERE ${select.where.join(' AND ')} GROUP BY ${select.groupBy.map(ident).join(', ')}`;
}

/** The condition `time` in [$from, $to). */
export const IN_RANGE = 'time >= $from AND time < $to';
