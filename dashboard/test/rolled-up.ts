// Seeds a test bucket the way the pipeline fills it, without running it: raw
// points placed by the consumer's own code, and rollups (hours, days, months)
// computed by the rollup worker's own code, in retention policies kept forever
// so fixed dates in the past stay readable.
import { hourOf, RETENTION, type EnrichedEvent } from '@eventline/contract';
import { placedPointLines } from '@eventline/consumer/testing';
import { createInfluxQL } from '@eventline/rollup/influxql';
import { rollUp } from '@eventline/rollup/recompute';
import { ensureRetention } from '@eventline/rollup/retention';
import { testInfra } from '@eventline/testkit';

export async function storeRolledUp(bucket: string, events: readonly EnrichedEvent[]): Promise<void> {
  const [database, rawPolicy] = bucket.split('/') as [string, string];
  const influxql = createInfluxQL({ url: testInfra().influxUrl, database });
  const rollupPolicy = RETENTION.rollupPolicy;
  await ensureRetention(influxql, { rawPolicy, rawDuration: 'INF', rollupPolicy, rollupDuration: 'INF' });
  await influxql.write(
    await placedPointLines(events, { influx: { url: testInfra().influxUrl, bucket } }),
    rawPolicy,
    'ns',
  );
  await rollUp(
    { influxql, rawPolicy, rollupPolicy, maxValues: 1_000 },
    events.map((e) => ({ site: e.site, hour: hourOf(e.eventTime) })),
  );
}
