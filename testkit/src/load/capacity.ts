// How many events/s a pipeline acknowledges when pushed as hard as one load
// generator can: the baseline that the soak (half of it) and the overload run
// (twice it) are measured against, in the same run on the same machine.
import { runLoad } from './load-generator.ts';
import type { StackUnderTest } from './stack-under-test.ts';

export interface Capacity {
  /** Events acknowledged per second over the probe. */
  eventsPerSecond: number;
  /** Events acknowledged during the probe (what storage must hold once the consumer catches up). */
  acknowledged: number;
  durationMs: number;
}

/** `clients`: requests in flight at once (default 128); with fewer than saturate ingest, the figure is theirs, not ingest's. */
export async function measureCapacity(stack: StackUnderTest, seconds: number, clients = 128): Promise<Capacity> {
  const report = await runLoad({
    ingestUrl: stack.ingestUrls,
    writeKey: stack.writeKey,
    origin: stack.origin,
    totalEvents: Number.MAX_SAFE_INTEGER,
    generateForMs: seconds * 1000,
    sessions: Math.max(1_024, clients * 2),
    concurrency: clients,
    keepAcknowledged: false,
    path: '/capacity',
  });
  return {
    eventsPerSecond: (report.acknowledgedCount / report.durationMs) * 1000,
    acknowledged: report.acknowledgedCount,
    durationMs: report.durationMs,
  };
}
