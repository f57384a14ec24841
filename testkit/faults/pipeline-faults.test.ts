// Completeness under faults: the real pipeline (Kafka, InfluxDB, ingest,
// consumer as processes) under a steady load, with one fault per scenario.
// Afterwards InfluxDB must hold exactly the acknowledged events: 0 lost, 0 doubled
// (an event overwritten by another with the same storage identity is counted
// apart, as an identity collision, so a design limit is never passed off as a loss),
// and the dashboard's completeness check must find every session whole.
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from '../src/load/load-generator.ts';
import {
  consumerLag,
  expectedPoints,
  readCompleteness,
  sampleLag,
  storedCounts,
  storedPoints,
  waitUntilSettled,
} from '../src/load/oracle.ts';
import { startStackUnderTest, type StackUnderTest } from '../src/load/stack-under-test.ts';
import { sleep } from '../src/wait.ts';

const EVENTS = 50_000;
const LOAD_SESSIONS = 400;
const RATE = 5_000; // events/s, so the load lasts about 10 s and the fault lands in the middle
/** Lag 0 and an unchanged count for this long before counting: a late redelivery would land within it. */
const SETTLE_MS = 5_000;

let stack: StackUnderTest | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function scenario(name: string, fault: (stack: StackUnderTest) => Promise<void>): Promise<void> {
  stack = await startStackUnderTest({ dashboard: true });
  const current = stack;
  const dashboard = current.dashboard;
  if (!dashboard) throw new Error('the stack under test started without its dashboard');
  const startedAt = new Date();
  const lag = sampleLag(current.brokers, current.topic, current.groupId);
  const load = runLoad({
    ingestUrl: current.ingestUrl,
    writeKey: current.writeKey,
    origin: current.origin,
    totalEvents: EVENTS,
    sessions: LOAD_SESSIONS,
    eventsPerSecond: RATE,
  });
  await sleep(3_000);
  await fault(current);
  const report = await load;
  const acknowledged = report.acknowledged.size;
  const points = expectedPoints(report.acknowledged);
  const settle = await waitUntilSettled(
    {
      lag: () => consumerLag(current.brokers, current.topic, current.groupId),
      stored: () => storedPoints(current.influxUrl, current.bucket),
    },
    { expected: points, settleMs: SETTLE_MS, timeoutMs: 180_000 },
  );
  const counts = await storedCounts(current.influxUrl, current.bucket, report.acknowledged);
  // The stack is fresh: everything stored from a minute before the load on is the load's.
  const completeness = await readCompleteness(dashboard, {
    site: current.site,
    from: new Date(startedAt.getTime() - 60_000),
  });
  const maxLag = lag.stop();
  const statuses = [...report.statuses].map(([status, n]) => `${status}×${n}`).join(' ');
  process.stdout.write(
    `[faults] ${name}: sent ${report.sent}, acknowledged ${acknowledged}, stored ${counts.distinctIds}, ` +
      `duplicates ${counts.duplicates}, lost ${counts.lost}, identity collisions ${counts.identityCollisions}, max lag ${maxLag} messages, ` +
      `completeness API: received ${completeness.received} of ${completeness.expected} expected, ${completeness.duplicates} duplicates, ${completeness.missing} missing, ` +
      `requests ${report.requests} (${statuses}), ${(report.durationMs / 1000).toFixed(1)} s\n`,
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
  expect(counts.distinctIds).toBe(acknowledged - counts.identityCollisions);
  // The second oracle, the product's own check from sequence numbers: every session complete
  // (a gap only where an identity collision overwrote an event by design), nothing twice.
  expect(completeness.duplicates).toBe(0);
  expect(completeness.sessions).toBe(LOAD_SESSIONS);
  expect(completeness.received).toBe(acknowledged - counts.identityCollisions);
  expect(completeness.missing).toBeLessThanOrEqual(counts.identityCollisions);
  expect(completeness.expected - completeness.received).toBeLessThanOrEqual(counts.identityCollisions);
}

describe('the pipeline under faults', () => {
  it('loses and doubles nothing when the Kafka broker is SIGKILLed mid-load and back after 10 s', async () => {
    await scenario('kafka SIGKILL', async (s) => {
      await s.killKafka();
      await sleep(10_000);
      await s.startKafka();
    });
  });

  it('loses and doubles nothing when the consumer is SIGKILLed mid-load and restarted', async () => {
    await scenario('consumer SIGKILL', async (s) => {
      await s.killConsumer();
      await sleep(2_000);
      await s.startConsumer();
    });
  });

  it('loses and doubles nothing when InfluxDB is down for 20 s', async () => {
    await scenario('influxdb down 20 s', async (s) => {
      await s.stopInflux();
      await sleep(20_000);
      await s.startInflux();
    });
  });

  it('loses and doubles nothing when ingest restarts mid-load and clients retry', async () => {
    await scenario('ingest restart', async (s) => {
      await s.stopIngest();
      await sleep(2_000);
      await s.startIngest();
    });
  });
});
