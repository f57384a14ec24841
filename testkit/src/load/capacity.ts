// How many events/s a pipeline acknowledges when pushed hard by 128 clients: the
// baseline that the soak (half of it) and the overload run (twice it) are
// measured against, in the same run on the same machine. Counted over the
// probe's steady part, after a warm-up: a cold ingest (JIT, first Kafka sends)
// may shed its first requests, and a client refused then waits 5–10 s.
import { runLoad } from './load-generator.ts';
import type { StackUnderTest } from './stack-under-test.ts';

export interface Capacity {
  /** Events acknowledged per second over the probe after its warm-up. */
  eventsPerSecond: number;
  /** Events acknowledged during the whole probe (what storage must hold once the consumer catches up). */
  acknowledged: number;
  durationMs: number;
}

const WARMUP_MS = 5_000;

export async function measureCapacity(stack: StackUnderTest, seconds: number): Promise<Capacity> {
  const started = Date.now();
  const end = started + seconds * 1000;
  let steady = 0;
  const report = await runLoad({
    ingestUrl: stack.ingestUrls,
    writeKey: stack.writeKey,
    origin: stack.origin,
    totalEvents: Number.MAX_SAFE_INTEGER,
    generateForMs: seconds * 1000,
    sessions: 1_024,
    concurrency: 128,
    keepAcknowledged: false,
    path: '/capacity',
    onResponse: (response) => {
      if (response.answeredAt >= started + WARMUP_MS && response.answeredAt < end) steady += response.acknowledged;
    },
  });
  return {
    eventsPerSecond: (steady / (seconds * 1000 - WARMUP_MS)) * 1000,
    acknowledged: report.acknowledgedCount,
    durationMs: report.durationMs,
  };
}
