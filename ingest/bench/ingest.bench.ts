// Throughput and latency of ingest with a real Kafka broker, against two
// baselines measured in the same run on the same broker: a bare Fastify route
// that parses the same bodies and does nothing else (the HTTP ceiling), and
// Kafka's own Java producer (ProducerPerformance) sending the same enriched
// events, one record each, with the same producer settings (the Kafka ceiling).
// The HTTP load is 40 connections posting realistic batches of 20-50 events
// for a fixed time. Both servers run as child processes so autocannon does not
// share their event loop. Other work on a shared machine moves events/s a lot;
// the server's own CPU time per event moves much less.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sampleEvent } from '@eventline/contract/testing';
import { createTopics, freePort, provisionKafka, silentProgress, startKafka } from '@eventline/infra';
import { SOURCE_NODE_ARGS } from '@eventline/infra/services';
import { printResult } from '@eventline/testkit/bench-report';
import { sleep } from '@eventline/testkit';
import { createBatchEnricher } from '../src/enrich.ts';
import { provisionProducerPerformance, runProducerPerformance } from './producer-performance.ts';

const DURATION_S = 15;
const WARMUP_S = 3;
const CONNECTIONS = 40;
const BODIES = 64;
const WRITE_KEY = 'bench-write-key';
const ORIGIN = 'https://shop.example';
const ingestDir = fileURLToPath(new URL('..', import.meta.url));
const JAVA_RECORDS = 1_000_000;
/** What ingest's producer does (kafka-sink.ts: acks=all, idempotent, gzip level 1, 2 ms linger), for the Java producer. */
const JAVA_SETTINGS = {
  acks: 'all',
  'enable.idempotence': 'true',
  'compression.type': 'gzip',
  'compression.gzip.level': '1',
  'linger.ms': '2',
};

function realisticBatch(index: number): { body: string; events: number } {
  const count = 20 + (index % 31);
  const now = Date.now();
  const events = Array.from({ length: count }, (_, i) => {
    const visitor = `anon-${String(index * 7 + (i % 5)).padStart(16, '0')}`;
    const base = {
      anonymousId: visitor,
      sessionId: `sess-${visitor.slice(5)}`,
      seq: i,
      timestamp: now - (count - i) * 200,
    };
    if (i % 10 === 0)
      return sampleEvent({
        ...base,
        type: 'pageview',
        name: 'pageview',
        element: undefined,
        page: {
          url: `https://shop.example/p/${i}?ref=nav`,
          path: `/p/${i}`,
          title: 'Product',
          referrer: 'https://shop.example/',
        },
      });
    if (i % 10 === 5)
      return sampleEvent({
        ...base,
        type: 'custom',
        name: 'add_to_cart',
        properties: { sku: `SKU-${i}`, price: 19.99, currency: 'EUR', quantity: 1 },
      });
    return sampleEvent(base);
  });
  return { body: JSON.stringify({ sentAt: now, events }), events: count };
}

function startServer(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...SOURCE_NODE_ARGS, join(ingestDir, entry)], {
    cwd: ingestDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env },
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(url).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${url} not ready`);
    await sleep(200);
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** CPU time (user + system) the process has used so far, in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

interface Load {
  eventsPerSecond: number;
  cpuUsPerEvent: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, server: ChildProcess, batches: { body: string; events: number }[]): Promise<Load> {
  const requests = batches.map((b) => ({
    method: 'POST' as const,
    path: `/v1/batch?writeKey=${WRITE_KEY}`,
    body: b.body,
  }));
  const options = {
    url,
    connections: CONNECTIONS,
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
    requests,
  };
  await autocannon({ ...options, duration: WARMUP_S });
  const cpuBefore = cpuMs(server.pid!);
  const result = await autocannon({ ...options, duration: DURATION_S });
  const cpu = cpuMs(server.pid!) - cpuBefore;
  const meanEvents = batches.reduce((sum, b) => sum + b.events, 0) / batches.length;
  const events = result['2xx'] * meanEvents;
  return {
    eventsPerSecond: events / DURATION_S,
    cpuUsPerEvent: (cpu * 1000) / events,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The enriched events ingest writes for these bodies, one per line: the Java producer's payloads. */
function enrichedPayloads(bodies: { body: string }[]): string[] {
  return bodies.flatMap(({ body }) => {
    const batch = JSON.parse(body) as {
      sentAt: number;
      events: Parameters<ReturnType<typeof createBatchEnricher>>[0][];
    };
    const enrich = createBatchEnricher({ site: 'bench', receivedAt: Date.now(), sentAt: batch.sentAt, userAgent: {} });
    return batch.events.map((event) => enrich(event).value);
  });
}

const batches = Array.from({ length: BODIES }, (_, i) => realisticBatch(i));
await provisionKafka(silentProgress);
await provisionProducerPerformance();
const dataDir = mkdtempSync(join(tmpdir(), 'ingest-bench-'));
const broker = await startKafka({ port: await freePort(), controllerPort: await freePort(), dataDir });
const children: ChildProcess[] = [];
try {
  const topic = 'ingest-bench';
  await createTopics(broker.brokers, [{ topic, numPartitions: 6 }]);

  const barePort = await freePort();
  const bare = startServer('bench/bare-server.ts', { BARE_PORT: String(barePort) });
  children.push(bare);
  await waitReady(`http://127.0.0.1:${barePort}/healthz`, bare);
  const baseline = await load(`http://127.0.0.1:${barePort}`, bare, batches);
  await stopServer(bare);

  const ingestPort = await freePort();
  const ingest = startServer('src/server.ts', {
    EVENTLINE_KAFKA_BROKERS: broker.brokers.join(','),
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_INGEST_PORT: String(ingestPort),
    EVENTLINE_INGEST_LOG_LEVEL: 'warn',
    EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
    // Throughput, not the latency bound: shedding would refuse what the benchmark wants to see acknowledged.
    EVENTLINE_INGEST_SHED_EVENT_LOOP_DELAY_MS: '0',
    EVENTLINE_INGEST_SHED_PRODUCE_WAIT_MS: '0',
    EVENTLINE_WRITE_KEYS: JSON.stringify([{ key: WRITE_KEY, site: 'bench', origins: [ORIGIN] }]),
  });
  children.push(ingest);
  await waitReady(`http://127.0.0.1:${ingestPort}/readyz`, ingest);
  const measured = await load(`http://127.0.0.1:${ingestPort}`, ingest, batches);
  const metrics = await (await fetch(`http://127.0.0.1:${ingestPort}/metrics`)).text();
  const sends = Number(/eventline_ingest_produce_batch_messages_count (\d+)/.exec(metrics)?.[1]);
  const messages = Number(/eventline_ingest_produce_batch_messages_sum (\d+)/.exec(metrics)?.[1]);
  await stopServer(ingest);

  await createTopics(broker.brokers, [{ topic: 'java-bench', numPartitions: 6 }]);
  const payloads = enrichedPayloads(batches);
  const java = await runProducerPerformance({
    brokers: broker.brokers,
    topic: 'java-bench',
    payloads,
    records: JAVA_RECORDS,
    settings: JAVA_SETTINGS,
    workDir: dataDir,
  });

  if (measured.non2xx > 0 || measured.errors > 0) {
    process.stdout.write(
      `ingest: ${measured.non2xx} non-2xx answers, ${measured.errors} errors/timeouts during the run\n`,
    );
  }
  printResult({
    name: 'ingest-throughput',
    description:
      `${CONNECTIONS} connections × ${DURATION_S} s, batches of 20-50 events, real Kafka (acks=all, idempotent, gzip level 1); ` +
      `${Math.round(messages / sends)} records per Kafka send on average; Java: ${JAVA_RECORDS} records of ` +
      `${Math.round(payloads.reduce((sum, p) => sum + p.length, 0) / payloads.length)} B, one per event, ${Object.entries(
        JAVA_SETTINGS,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(
          ' ',
        )} (Java p99 ${java.p99Ms} ms); targets: ≥ 0.5 × Java, ≥ 100 000 events/s, p99 < 100 ms, ≤ 10 µs CPU/event`,
    figures: [
      {
        metric: 'events/s vs Java',
        unit: 'events/s',
        value: measured.eventsPerSecond,
        baseline: java.recordsPerSecond,
        baselineLabel: 'Kafka ProducerPerformance',
      },
      {
        metric: 'events/s vs HTTP',
        unit: 'events/s',
        value: measured.eventsPerSecond,
        baseline: baseline.eventsPerSecond,
        baselineLabel: 'bare Fastify route',
      },
      { metric: 'p50', unit: 'ms', value: measured.p50, baseline: baseline.p50, baselineLabel: 'bare Fastify route' },
      { metric: 'p99', unit: 'ms', value: measured.p99, baseline: baseline.p99, baselineLabel: 'bare Fastify route' },
      {
        metric: 'cpu/event',
        unit: 'µs',
        value: measured.cpuUsPerEvent,
        baseline: baseline.cpuUsPerEvent,
        baselineLabel: 'bare Fastify route',
      },
    ],
  });
} finally {
  for (const child of children) await stopServer(child);
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
