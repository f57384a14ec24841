// One fault scenario, as every fault suite runs it: a private pipeline under a
// steady load, one fault in the middle, then the count. InfluxDB must hold
// exactly the acknowledged events: 0 lost, 0 doubled (every event has a point of
// its own, so none may be overwritten either), and the dashboard's completeness
// check must find every session whole. Then the rollups (recomputed from the
// raw events by the rollup worker, which lives through the fault too) must
// count exactly the events stored.
import { expect } from 'vitest';
import { runLoad, type LoadReport, type LoadResponse } from '../src/load/load-generator.ts';
import {
  consumerLag,
  readCompleteness,
  readRolledUpEvents,
  sampleLag,
  storedCounts,
  storedPoints,
  waitUntilSettled,
} from '../src/load/oracle.ts';
import { describeLost, locateLost } from '../src/load/lost-events.ts';
import { startStackUnderTest, type StackUnderTest, type StackUnderTestOptions } from '../src/load/stack-under-test.ts';
import { eventually, sleep } from '../src/wait.ts';

/** Lag 0 and an unchanged count for this long before counting: a late redelivery would land within it. */
const SETTLE_MS = 5_000;
/** How long the rollups may take to catch up with the settled raw events, ms. */
const ROLLUP_CATCH_UP_MS = 120_000;

export interface ScenarioOptions {
  /** Events offered in all. Default: 50 000 */
  events?: number;
  /** Simulated sessions. Default: 400 */
  sessions?: number;
  /** Offered rate, events/s, so the load lasts long enough for the fault to land in the middle. Default: 5 000 */
  eventsPerSecond?: number;
  /** When the fault starts after the load did, ms. Default: 3 000 */
  faultAfterMs?: number;
  /** How the private pipeline is built (a Kafka cluster, several ingests or consumers). */
  stack?: StackUnderTestOptions;
  /** Sees every request of the load, answered or failed. */
  onResponse?: (response: LoadResponse) => void;
  /** Every event of a batch in the same millisecond (load-generator `burst`). Default: false */
  burst?: boolean;
}

let current: StackUnderTest | undefined;

/** Stops the stack of the last scenario; call it from afterEach. */
export async function stopScenarioStack(): Promise<void> {
  await current?.stop();
  current = undefined;
}

export async function runScenario(
  name: string,
  fault: (stack: StackUnderTest) => Promise<void>,
  options: ScenarioOptions = {},
): Promise<LoadReport> {
  const sessions = options.sessions ?? 400;
  const stack = await startStackUnderTest({ ...options.stack, dashboard: true, rollup: true });
  current = stack;
  const dashboard = stack.dashboard;
  if (!dashboard) throw new Error('the stack under test started without its dashboard');
  const startedAt = new Date();
  const lag = sampleLag(stack.brokers, stack.topic, stack.groupId);
  const load = runLoad({
    ingestUrl: stack.ingestUrls,
    writeKey: stack.writeKey,
    origin: stack.origin,
    totalEvents: options.events ?? 50_000,
    sessions,
    eventsPerSecond: options.eventsPerSecond ?? 5_000,
    ...(options.onResponse ? { onResponse: options.onResponse } : {}),
    ...(options.burst ? { burst: true } : {}),
  });
  await sleep(options.faultAfterMs ?? 3_000);
  await fault(stack);
  const report = await load;
  const acknowledged = report.acknowledged.size;
  const points = report.acknowledged.size;
  const settle = await waitUntilSettled(
    {
      lag: () => consumerLag(stack.brokers, stack.topic, stack.groupId),
      stored: () => storedPoints(stack.influxUrl, stack.bucket),
    },
    { expected: points, settleMs: SETTLE_MS, timeoutMs: 180_000 },
  );
  const counts = await storedCounts(stack.influxUrl, stack.bucket, report.acknowledged);
  // The stack is fresh: everything stored from a minute before the load on is the load's.
  const completeness = await readCompleteness(dashboard, {
    site: stack.site,
    from: new Date(startedAt.getTime() - 60_000),
  });
  // Rollups are recomputed after the raw points are durable: wait for them, then they must equal the raw count.
  const rollupRange = {
    site: stack.site,
    from: new Date(startedAt.getTime() - 60_000),
    to: new Date(Date.now() + 60_000),
  };
  const rolledUp = () => readRolledUpEvents(dashboard, rollupRange);
  await eventually(
    'the rollups to count every stored event',
    async () => (await rolledUp()) === counts.points,
    ROLLUP_CATCH_UP_MS,
    1_000,
  ).catch(() => {}); // a rollup that never caught up fails the expect below, with its figure printed first
  const rollupEvents = await rolledUp();
  const maxLag = lag.stop();
  const statuses = [...report.statuses].map(([status, n]) => `${status}×${n}`).join(' ');
  process.stdout.write(
    `[faults] ${name}: sent ${report.sent}, acknowledged ${acknowledged}, stored ${counts.distinctIds}, ` +
      `duplicates ${counts.duplicates}, lost ${counts.lost}, points read twice by Flux ${counts.repeatedRows}, ` +
      `max lag ${maxLag} messages, completeness API: received ${completeness.received} of ` +
      `${completeness.expected} expected, ${completeness.duplicates} duplicates, ${completeness.missing} missing, ` +
      `rollups ${rollupEvents} events, ` +
      `requests ${report.requests} (${statuses}), ${(report.durationMs / 1000).toFixed(1)} s\n`,
  );
  // A loss says where the events went: never in Kafka, dead-lettered, or read and not stored (and what holds their slot).
  if (counts.lost > 0)
    process.stdout.write(
      await locateLost(stack, counts.lostIds)
        .then((located) => `[faults] ${name}: ${describeLost(located)}`)
        .catch((error: unknown) => `[faults] ${name}: could not locate the lost events: ${String(error)}\n`),
    );
  expect(settle, `lag 0 and a stable count for ${SETTLE_MS / 1000} s within 180 s`).toMatchObject({
    settled: true,
    lag: 0,
  });
  expect(maxLag, 'consumer lag was never read').not.toBeNaN();
  expect(report.rejected).toBe(0);
  expect(acknowledged).toBe(report.sent);
  expect(counts.lost).toBe(0);
  expect(counts.duplicates).toBe(0);
  expect(counts.points).toBe(points);
  expect(counts.distinctIds).toBe(acknowledged);
  // The second oracle, the product's own check from sequence numbers: every session complete, nothing twice.
  expect(completeness.duplicates).toBe(0);
  expect(completeness.sessions).toBe(sessions);
  expect(completeness.received).toBe(acknowledged);
  expect(completeness.missing).toBe(0);
  expect(completeness.expected).toBe(acknowledged);
  // The third: rollup totals equal raw totals (nothing rolled up twice or missed across the fault).
  expect(rollupEvents, 'events counted by the rollups').toBe(counts.points);
  return report;
}
