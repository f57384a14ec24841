// Consumer benchmark, on its own Kafka and InfluxDB started for the run:
//  1. throughput: a topic pre-filled with BENCH_EVENTS (200 000) events is consumed
//     into InfluxDB; in the same run the same points are written straight to
//     InfluxDB with the same writer, batch size and concurrency. Prints both
//     rates and their ratio (target ≥ 0.9), once with every core shared and once
//     with InfluxDB on cores of its own (bench/cpu-layout.ts).
//  2. latency (run first, on a fresh InfluxDB): events produced at a steady BENCH_RATE (10 000/s) for
//     BENCH_LAG_SECONDS (20); prints the end-to-end lag (Kafka timestamp → InfluxDB
//     acknowledged) percentiles (target p99 < 1 s); the producer runs in its own
//     process, as ingest would.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preferredSlot } from '@eventline/contract';
import { InfluxDB } from '@influxdata/influxdb-client';
import { consoleProgress, createBucket, createTopics, provisionInfra, startInfra } from '@eventline/infra';
import { printResult } from '@eventline/infra/bench-report';
import type { Message } from 'kafkajs';
import { pino } from 'pino';
import { loadConfig, type ConsumerConfig } from '../src/config.ts';
import type { WrittenChunk } from '../src/consumer.ts';
import { createInfluxWriter } from '../src/influx-writer.ts';
import { createPipeline } from '../src/pipeline.ts';
import { toPoint } from '../src/to-point.ts';
import { asRecords, enrichedEvents, testKafka } from '../test/support/fixtures.ts';
import { cpuLayouts, type CpuLayout } from './cpu-layout.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 10_000);
const LAG_SECONDS = Number(process.env['BENCH_LAG_SECONDS'] ?? 20);
const PARTITIONS = 6;

const progress = consoleProgress('bench');
const loadBefore = os.loadavg()[0]!.toFixed(1);
const logger = pino({ level: 'warn' });
const dataDir = mkdtempSync(join(tmpdir(), 'consumer-bench-'));
await provisionInfra(progress);
const infra = await startInfra({ dataDir }, progress);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void infra.stop().finally(() => process.exit(130)));
}
const brokers = infra.kafka.brokers;
const kafka = testKafka(brokers);
const configFor = (topic: string, bucket: string, groupId = `${topic}-group`) =>
  loadConfig({
    // Tuning variables (EVENTLINE_CONSUMER_BATCH_SIZE, EVENTLINE_CONSUMER_CONCURRENCY, ...) apply to both sides.
    ...process.env,
    EVENTLINE_KAFKA_BROKERS: brokers.join(','),
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_KAFKA_DLQ_TOPIC: 'bench-dlq',
    EVENTLINE_CONSUMER_GROUP: groupId,
    EVENTLINE_INFLUX_URL: infra.influx.url,
    EVENTLINE_INFLUX_BUCKET: bucket,
    EVENTLINE_LOG_LEVEL: 'warn',
  });
const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
const perEvent = (usage: NodeJS.CpuUsage) => ((usage.user + usage.system) / EVENTS).toFixed(1);
interface Throughput {
  layout: CpuLayout;
  rawBefore: number;
  rawAfter: number;
  raw: number;
  rawCpu: string;
  consumer: number;
  consumerCpu: string;
  wallMs: number;
  chunks: number;
  rawPoints: number;
  consumerPoints: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function prefill(topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 10 } });
  await producer.connect();
  // One record batch per partition per send must stay under the broker's 1 MiB message limit: 30 records of 50 events.
  const chunk = 30;
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < messages.length) {
          const slice = messages.slice(next, (next += chunk));
          await producer.send({ topic, acks: 1, messages: slice });
        }
      }),
    );
  } finally {
    await producer.disconnect();
  }
}

/** The same points written straight to InfluxDB with the consumer's writer, batch size and concurrency. */
async function rawWrite(
  lines: string[],
  bucket: string,
  config: ConsumerConfig,
): Promise<{ ms: number; cpu: NodeJS.CpuUsage }> {
  const influx = new InfluxDB({ url: config.influx.url, timeout: config.influx.timeoutMs });
  const writer = createInfluxWriter({
    client: influx,
    org: '',
    bucket,
    gzipThresholdBytes: config.influx.gzipThresholdBytes,
    logger,
  });
  let next = 0;
  const cpu = process.cpuUsage();
  const started = Date.now();
  await Promise.all(
    Array.from({ length: config.kafka.partitionsConcurrently }, async () => {
      while (next < lines.length) await writer.write(lines.slice(next, (next += config.batchSize)));
    }),
  );
  return { ms: Date.now() - started, cpu: process.cpuUsage(cpu) };
}

async function countPoints(bucket: string): Promise<number> {
  const rows = await new InfluxDB({ url: infra.influx.url, timeout: 120_000 })
    .getQueryApi('')
    .collectRows<{ _value: number }>(
      `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._field == "id") |> group() |> count()`,
    );
  return rows[0]?._value ?? 0;
}

try {
  await createTopics(brokers, [
    { topic: 'bench-events', numPartitions: PARTITIONS },
    { topic: 'bench-lag', numPartitions: PARTITIONS },
    { topic: 'bench-dlq', numPartitions: 1 },
  ]);
  const lagBucket = await createBucket(infra.influx.url, 'bench_lag', 'events');
  // Latency first, on a fresh InfluxDB (not one busy compacting the throughput run): steady production at RATE.
  const lagPipeline = createPipeline({
    config: configFor('bench-lag', lagBucket),
    logger,
    defaultMetrics: false,
    onChunkCommitted: (chunk) => {
      for (const t of chunk.timestamps) lags.push(chunk.writtenAt - t);
    },
  });
  const lags: number[] = [];
  await lagPipeline.start();
  await new Promise((r) => setTimeout(r, 3_000));
  const expected = RATE * LAG_SECONDS;
  const produced = await new Promise<{ events: number; ms: number }>((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./steady-producer.ts', import.meta.url)),
        brokers.join(','),
        'bench-lag',
        String(RATE),
        String(LAG_SECONDS),
      ],
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as { events: number; ms: number })),
    );
  });
  const producedMs = produced.ms;
  const deadline = Date.now() + 60_000;
  while (lags.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const writes = (await lagPipeline.metrics.writeDuration.get()).values;
  const total = (suffix: string) =>
    writes.filter((v) => v.metricName?.endsWith(suffix)).reduce((sum, v) => sum + v.value, 0);
  const writeSeconds = total('_sum');
  const writeCount = total('_count');
  await lagPipeline.stop();
  const sorted = [...lags].sort((a, b) => a - b);

  const events = enrichedEvents(EVENTS);
  // As ingest writes them: one record per session and request (here, per session: 50 events).
  const messages = asRecords(events);
  const bytes = messages.reduce((sum, m) => sum + String(m.value).length, 0);
  const started = Date.now();
  await prefill('bench-events', messages);
  progress.info(
    `pre-filled ${EVENTS} events in ${messages.length} records (${Math.round(bytes / EVENTS)} B per event) in ${Date.now() - started} ms (${rate(EVENTS, Date.now() - started)}/s)`,
  );
  // The consumer's own lines, as the partition-0 consumer would place events that are alone in their millisecond.
  const lines = events.map((e) => toPoint(e, { shard: 0, slot: preferredSlot(e.event) }));

  /** Raw and consumer rates with the processes placed by `layout`; the consumer reads the whole topic with a group of its own. */
  async function throughput(layout: CpuLayout): Promise<Throughput> {
    layout.apply();
    const bucket = (name: string) => createBucket(infra.influx.url, `bench_${name}_${layout.name}`, 'events');
    const [rawBucket, rawBucketAfter, consumerBucket] = await Promise.all([
      bucket('raw'),
      bucket('raw_after'),
      bucket('consumer'),
    ]);
    const config = configFor('bench-events', consumerBucket, `bench-events-${layout.name}`);
    // Raw baseline before and after the consumer run, so a change in machine load shows.
    const rawBefore = await rawWrite(lines, rawBucket, config);
    const chunks: WrittenChunk[] = [];
    let written = 0;
    let done!: () => void;
    const allWritten = new Promise<void>((resolve) => (done = resolve));
    const pipeline = createPipeline({
      config,
      logger,
      defaultMetrics: false,
      onChunkCommitted: (chunk) => {
        chunks.push(chunk);
        written += chunk.points;
        if (written >= EVENTS) done();
      },
    });
    const cpu = process.cpuUsage();
    const startedAt = Date.now();
    await pipeline.start();
    await allWritten;
    const wallMs = Date.now() - startedAt;
    const consumerCpu = process.cpuUsage(cpu);
    const rawAfter = await rawWrite(lines, rawBucketAfter, config);
    await pipeline.stop();
    const firstAt = chunks[0]!.writtenAt;
    const lastAt = chunks[chunks.length - 1]!.writtenAt;
    const [rawPoints, consumerPoints] = await Promise.all([countPoints(rawBucket), countPoints(consumerBucket)]);
    return {
      layout,
      rawBefore: rate(EVENTS, rawBefore.ms),
      rawAfter: rate(EVENTS, rawAfter.ms),
      raw: rate(EVENTS, (rawBefore.ms + rawAfter.ms) / 2),
      rawCpu: perEvent(rawBefore.cpu),
      consumer: rate(EVENTS - chunks[0]!.points, lastAt - firstAt),
      consumerCpu: perEvent(consumerCpu),
      wallMs,
      chunks: chunks.length,
      rawPoints,
      consumerPoints,
    };
  }

  const layouts = cpuLayouts({ influx: infra.influx.process.pid, others: [process.pid, infra.kafka.process.pid] });
  const results: Throughput[] = [];
  for (const layout of layouts) results.push(await throughput(layout));
  layouts[0]!.apply();
  const { batchSize, kafka: kafkaConfig } = configFor('bench-events', 'unused', 'unused');

  const lagLine =
    sorted.length >= expected
      ? `p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted[sorted.length - 1]} ms`
      : `only ${sorted.length} of ${expected} events arrived within 60 s`;
  const describe = (r: Throughput) => `
  ${r.layout.description}
    raw InfluxDB writes       ${r.raw} points/s   (mean of ${r.rawBefore}/s before and ${r.rawAfter}/s after the consumer run; ${r.rawPoints} points stored)
    consumer Kafka→InfluxDB   ${r.consumer} events/s   (first to last commit; ${r.wallMs} ms wall incl. group join; ${r.chunks} chunks, avg ${Math.round(EVENTS / r.chunks)} points; ${r.consumerPoints} points stored)
    CPU of this process       raw ${r.rawCpu} µs/point, consumer ${r.consumerCpu} µs/event
    ratio consumer/raw        ${(r.consumer / r.raw).toFixed(2)}   (target ≥ 0.9)`;
  console.log(`
consumer benchmark (${EVENTS} events, ${PARTITIONS} partitions, batch size ${batchSize}, ${kafkaConfig.partitionsConcurrently} concurrent writes, ${os.cpus().length} cores, load average before the run ${loadBefore})
${results.map(describe).join('\n')}

  end-to-end lag at ${RATE}/s for ${LAG_SECONDS} s, cores shared (produced in ${producedMs} ms): ${lagLine}   (target p99 < 1000 ms)
                            ${writeCount} writes of ${Math.round(expected / Math.max(1, writeCount))} points on average, ${Math.round((writeSeconds / Math.max(1, writeCount)) * 1000)} ms each
`);
  const lagFigures =
    sorted.length >= expected
      ? [
          { metric: `lag p50 @${RATE}/s`, unit: 'ms', value: percentile(sorted, 50) },
          {
            metric: `lag p99 @${RATE}/s`,
            unit: 'ms',
            value: percentile(sorted, 99),
            baseline: 1000,
            baselineLabel: 'target',
          },
        ]
      : [];
  printResult({
    name: 'consumer',
    description: `Kafka → InfluxDB, ${EVENTS} pre-filled events, batch ${batchSize}; baseline: the same points written straight to InfluxDB, cores shared or InfluxDB on its own`,
    figures: [
      ...results.flatMap((r) => [
        {
          metric: `events/s, ${r.layout.name} cores`,
          unit: 'events/s',
          value: r.consumer,
          baseline: r.raw,
          baselineLabel: 'raw InfluxDB writes',
        },
        {
          metric: `CPU/event, ${r.layout.name} cores`,
          unit: 'µs',
          value: Number(r.consumerCpu),
          baseline: Number(r.rawCpu),
          baselineLabel: 'raw writer CPU/point',
        },
      ]),
      ...lagFigures,
    ],
  });
} finally {
  await infra.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
