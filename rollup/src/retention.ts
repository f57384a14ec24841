// The two retention policies of the storage layout: raw events (default 90
// days) and rollups (default 2 years), created or brought to the configured
// duration when the rollup worker starts.
import { ident, type InfluxQL } from './influxql.ts';

export interface RetentionOptions {
  rawPolicy: string;
  /** InfluxQL duration, e.g. 90d. */
  rawDuration: string;
  rollupPolicy: string;
  rollupDuration: string;
}

export async function ensureRetention(influxql: InfluxQL, options: RetentionOptions): Promise<void> {
  const db = ident(influxql.database);
  await influxql.exec(`CREATE DATABASE ${db}`);
  for (const [policy, duration] of [
    [options.rawPolicy, options.rawDuration],
    [options.rollupPolicy, options.rollupDuration],
  ] as const) {
    // CREATE fails on an existing policy with another duration; ALTER then sets it. The raw policy stays the default.
    try {
      await influxql.exec(`CREATE RETENTION POLICY ${ident(policy)} ON ${db} DURATION ${duration} REPLICATION 1`);
    } catch {
      await influxql.exec(`ALTER RETENTION POLICY ${ident(policy)} ON ${db} DURATION ${duration}`);
    }
  }
}
