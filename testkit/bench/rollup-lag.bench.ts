// Rollup lag under a steady load: events POSTed to ingest at a fixed rate (the
// analytics issue's 10 000 events/s) go through Kafka, the consumer and
// InfluxDB to the rollup worker, all on this machine; how long after ingest
// acknowledged an event do the rollups count it?
// Measured as a watermark: the rollups (read API v2 overview, people and bots)
// and the raw events (a count in InfluxDB) are polled over and over; a request
// acknowledged when `n` events had been acknowledged in all is counted once a
// poll, finished after the acknowledgement, finds at least `n` events.
// Baseline in the same run: the same lag to the raw events, the part of the
// path the rollups wait for before they can start.
import { createInfluxQL, ident } from '@eventline/rollup/influxql';
import { FIELD, MEASUREMENT, TAG } from '@eventline/contract';
import { consoleProgress, DEFAULT_BUCKET, InfraError, provisionInfra } from '@eventline/infra';
import { percentile, printResult, type Figure } from '../src/bench-report.ts';
import { runLoad } from '../src/load/load-generator.ts';
import { readRolledUpEvents } from '../src/load/oracle.ts';
import { sampleProcesses } from '../src/load/process-stats.ts';
import { startStackUnderTest } from '../src/load/stack-under-test.ts';
import { sleep } from '../src/wait.ts';

const RATE = Number(process.env['EVENTLINE_BENCH_LAG_RATE'] ?? 10_000);
const SECONDS = Number(process.env['EVENTLINE_BENCH_LAG_SECONDS'] ?? 60);
/** Longer than this after the load for the rollups to count every event, and the bench fails. */
const CATCH_UP_MS = 600_000;
const POLL_MS = 250;

/** One poll: when it was answered and the events it found. */
interface Seen {
  at: number;
  events: number;
}

/** Polls `count` until stopped, each poll right after the one before (and POLL_MS apart at least). */
function watch(count: () => Promise<number>) {
  const seen: Seen[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = Date.now();
      seen.push({ events: await count(), at: Date.now() });
      await sleep(Math.max(0, POLL_MS - (Date.now() - started)));
    }
  })();
  return {
    seen,
    latest: () => seen[seen.length - 1]?.events ?? 0,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Per acknowledgement, ms until a poll answered after it found as many events as were acknowledged by then. */
function lagsOf(acks: readonly Seen[], seen: readonly Seen[]): number[] {
  const lags: number[] = [];
  let j = 0;
  for (const ack of acks) {
    // Both only grow, so the poll that answers one acknowledgement is never before the previous one's.
    while (j < seen.length && (seen[j]!.at < ack.at || seen[j]!.events < ack.events)) j++;
    if (j === seen.length) throw new InfraError(`${ack.events} acknowledged events were never all counted`);
    lags.push(seen[j]!.at - ack.at);
  }
  return lags;
}

await provisionInfra(consoleProgress('bench'));
const stack = await startStackUnderTest({ rollup: true, dashboard: true });
/** Stops the polls and samples: before the stack, so no poll finds it gone. */
let stopWatching = async () => {};
try {
  const dashboard = stack.dashboard!;
  const influxql = createInfluxQL({ url: stack.influxUrl, database: DEFAULT_BUCKET.database, timeoutMs: 60_000 });
  const startedAt = Date.now();
  const range = { site: stack.site, from: new Date(startedAt - 60_000), to: new Date(startedAt + 3_600_000) };
  const rawCount = async () => {
    const statement = `SELECT count(${ident(FIELD.id)}) FROM ${ident(DEFAULT_BUCKET.database)}.${ident(DEFAULT_BUCKET.retentionPolicy)}.${ident(MEASUREMENT)}
      WHERE ${ident(TAG.site)} = $site AND time >= $from`;
    let events = 0;
    for await (const rows of influxql.rows(statement, { site: stack.site, from: range.from.toISOString() }))
      for (const row of rows) events += Number(row['count'] ?? 0);
    return events;
  };
  const rolledUp = watch(() => readRolledUpEvents(dashboard, range));
  const raw = watch(rawCount);
  const processes = sampleProcesses(() => stack.processes(), 1_000);
  let acknowledged = 0;
  const progress = setInterval(() => {
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    process.stdout.write(
      `  ${seconds} s: acknowledged ${acknowledged}, stored ${raw.latest()}, rolled up ${rolledUp.latest()}\n`,
    );
  }, 10_000);
  stopWatching = async () => {
    clearInterval(progress);
    processes.stop();
    await Promise.all([rolledUp.stop(), raw.stop()]);
  };

  const acks: Seen[] = [];
  process.stdout.write(`  ${RATE} events/s for ${SECONDS} s …\n`);
  const report = await runLoad({
    ingestUrl: stack.ingestUrl,
    writeKey: stack.writeKey,
    origin: stack.origin,
    totalEvents: RATE * SECONDS,
    sessions: 2_000,
    concurrency: 32,
    eventsPerSecond: RATE,
    keepAcknowledged: false,
    onResponse: (response) => {
      if (response.acknowledged === 0) return;
      acknowledged += response.acknowledged;
      acks.push({ at: response.answeredAt, events: acknowledged });
    },
  });
  const loadSeconds = report.durationMs / 1000;
  process.stdout.write(
    `  sent ${report.sent}, acknowledged ${acknowledged} in ${loadSeconds.toFixed(1)} s; catching up …\n`,
  );
  const deadline = Date.now() + CATCH_UP_MS;
  while (rolledUp.latest() < acknowledged || raw.latest() < acknowledged) {
    if (Date.now() > deadline)
      throw new InfraError(
        `${CATCH_UP_MS / 1000} s after the load, the rollups count ${rolledUp.latest()} and InfluxDB holds ${raw.latest()} of ${acknowledged} acknowledged events`,
      );
    await sleep(POLL_MS);
  }
  const caughtUpSeconds = (Date.now() - startedAt) / 1000;
  await stopWatching();

  const rollupLags = lagsOf(acks, rolledUp.seen);
  const rawLags = lagsOf(acks, raw.seen);
  const baselineLabel = 'acknowledged → counted in raw storage';
  const lagFigures: Figure[] = ([50, 99] as const).map((p) => ({
    metric: `acknowledged → counted by the rollups p${p}`,
    unit: 's',
    value: percentile(rollupLags, p) / 1000,
    baseline: percentile(rawLags, p) / 1000,
    baselineLabel,
  }));
  const cpuFigures: Figure[] = [...processes.samples].map(([name, samples]) => ({
    metric: `${name}: CPU while loaded and catching up`,
    unit: 'cores',
    value: ((samples.at(-1)?.cpuSeconds ?? 0) - (samples[0]?.cpuSeconds ?? 0)) / caughtUpSeconds,
  }));
  const rollupRss = (processes.samples.get('rollup') ?? []).map((sample) => sample.rssBytes);
  printResult({
    name: 'rollup-lag',
    description: `${RATE} events/s offered for ${SECONDS} s to one ingest, consumer and rollup worker with Kafka and InfluxDB on this machine; the lag of every acknowledged request (${acks.length}), polled every ${POLL_MS} ms`,
    figures: [
      { metric: 'events acknowledged per second', unit: 'events/s', value: acknowledged / loadSeconds },
      ...lagFigures,
      { metric: 'acknowledged → counted by the rollups, max', unit: 's', value: Math.max(...rollupLags) / 1000 },
      { metric: 'rollup worker RSS, peak', unit: 'MiB', value: Math.max(...rollupRss) / 2 ** 20 },
      ...cpuFigures,
    ],
  });
} finally {
  await stopWatching();
  await stack.stop();
}
