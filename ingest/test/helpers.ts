// Shared test fixtures: a configuration built the way production builds it, an
// in-memory sink and an app on it for HTTP behaviour that does not need a broker, and batch bodies.
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import { sampleEvent } from '@eventline/contract/testing';
import type { Event } from '@eventline/contract';
import { buildApp } from '../src/app.ts';
import { loadConfig, type IngestConfig } from '../src/config.ts';
import { SinkUnavailableError, type EventSink, type SinkMessage } from '../src/kafka/event-sink.ts';
import { eventually } from '@eventline/testkit';

export const WRITE_KEY = 'test-write-key';
export const SITE = 'shop';
export const ORIGIN = 'https://shop.example';
export const OTHER_KEY = 'other-write-key';
export const OTHER_ORIGIN = 'https://blog.example';

export function testConfig(env: Record<string, string> = {}): IngestConfig {
  return loadConfig({
    EVENTLINE_WRITE_KEYS: JSON.stringify([
      { key: WRITE_KEY, site: SITE, origins: [ORIGIN] },
      { key: OTHER_KEY, site: 'blog', origins: [OTHER_ORIGIN] },
    ]),
    EVENTLINE_INGEST_LOG_LEVEL: 'silent',
    EVENTLINE_INGEST_LINGER_MS: '0',
    // The app runs inside the test process, whose event loop also drives browsers and brokers' clients, and
    // stalls (as Kafka's answers do) whenever the shared machine is busy: tests that expect a 200 would get a
    // 503 now and then. Latency shedding is tested on its own, with its own settings (load-shedding.test.ts).
    EVENTLINE_INGEST_SHED_EVENT_LOOP_DELAY_MS: '0',
    EVENTLINE_INGEST_SHED_PRODUCE_WAIT_MS: '0',
    ...env,
  });
}

/** The EnrichedEvents in records (each record's value is a JSON array of them), in order. */
export function eventsOfRecords(records: readonly { value: string }[]): Record<string, unknown>[] {
  return records.flatMap((r) => JSON.parse(r.value) as Record<string, unknown>[]);
}

export interface MemorySink extends EventSink {
  /** Records, by send. */
  readonly sent: SinkMessage[][];
  /** While true, sends fail as if Kafka were down. */
  failing: boolean;
}

export function memorySink(): MemorySink {
  const sink: MemorySink = {
    sent: [],
    failing: false,
    start() {},
    isReady: () => !sink.failing,
    async send(messages) {
      if (sink.failing) throw new SinkUnavailableError('broker down (test)');
      sink.sent.push([...messages]);
    },
    async close() {},
  };
  return sink;
}

/** Builds the app from `testConfig(env)` on `sink`, and closes it when the running test finishes. */
export async function startMemoryApp(
  env: Record<string, string> = {},
  sink: MemorySink = memorySink(),
): Promise<{ app: FastifyInstance; sink: MemorySink }> {
  const app = await buildApp(testConfig(env), { sink });
  onTestFinished(() => app.close());
  return { app, sink };
}

export function batchOf(events: unknown[], extra: Record<string, unknown> = {}): { sentAt: number; events: unknown[] } {
  return { sentAt: Date.now(), events, ...extra };
}

export function events(count: number, overrides: Partial<Event> = {}): Event[] {
  return Array.from({ length: count }, (_, i) => sampleEvent({ seq: i, ...overrides }));
}

export interface PostOptions {
  writeKey?: string | null;
  origin?: string;
  contentType?: string;
  gzip?: boolean;
  headers?: Record<string, string>;
  path?: string;
}

/** POSTs a batch the way the SDK does: key in the query, JSON body. */
export function post(app: FastifyInstance, body: unknown, options: PostOptions = {}) {
  const key = options.writeKey === undefined ? WRITE_KEY : options.writeKey;
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const payload = options.gzip ? gzipSync(raw) : raw;
  return app.inject({
    method: 'POST',
    url: `${options.path ?? '/v1/batch'}${key === null ? '' : `?writeKey=${encodeURIComponent(key)}`}`,
    payload,
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
      ...(options.origin ? { origin: options.origin } : {}),
      ...options.headers,
    },
  });
}

/** Polls /readyz until the app's Kafka producer is connected. */
export async function waitUntilReady(app: FastifyInstance, timeoutMs = 60_000): Promise<void> {
  await eventually('ingest to be ready', async () => (await app.inject('/readyz')).statusCode === 200, timeoutMs, 100);
}
