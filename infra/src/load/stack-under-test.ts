// A private Eventline pipeline for one fault scenario: its own Kafka, InfluxDB,
// ingest and consumer on free ports, each of which can be killed and restarted
// without touching any other test's infrastructure.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@eventline/contract';
import { infraConfig } from '../config.ts';
import { createBucket, startInflux, type InfluxServer } from '../influx.ts';
import { startKafka, type KafkaBroker } from '../kafka.ts';
import { freePort } from '../ports.ts';
import type { ManagedProcess } from '../process.ts';
import { DEMO_SITE, DEMO_WRITE_KEY, serviceSpecs, startService, type ServiceSpec } from '../services.ts';
import { DEFAULT_BUCKET } from '../stack.ts';
import { createTeardown } from '../teardown.ts';

export interface StackUnderTest {
  readonly brokers: string[];
  readonly influxUrl: string;
  readonly bucket: string;
  readonly topic: string;
  readonly groupId: string;
  readonly ingestUrl: string;
  readonly writeKey: string;
  /** The site `writeKey` belongs to. */
  readonly site: string;
  /** An origin the write key accepts. */
  readonly origin: string;
  readonly dataDir: string;
  /** The dashboard server, when started with `dashboard: true`; `token` is its read-API bearer token. */
  readonly dashboard?: { readonly url: string; readonly token: string };
  killKafka(): Promise<void>;
  startKafka(): Promise<void>;
  stopInflux(): Promise<void>;
  startInflux(): Promise<void>;
  killConsumer(): Promise<void>;
  startConsumer(): Promise<void>;
  stopIngest(): Promise<void>;
  startIngest(): Promise<void>;
  stop(): Promise<void>;
}

const groupId = 'eventline-faults';

export interface StackUnderTestOptions {
  /** Also start the dashboard server, for its read API (e.g. GET /api/completeness). Default: false */
  dashboard?: boolean;
}

export async function startStackUnderTest(options: StackUnderTestOptions = {}): Promise<StackUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventline-faults-'));
  const logDir = join(dataDir, 'logs');
  const kafkaOptions = { port: await freePort(), controllerPort: await freePort(), dataDir: join(dataDir, 'kafka') };
  const influxOptions = { httpPort: await freePort(), rpcPort: await freePort(), dataDir: join(dataDir, 'influxdb') };
  const ports = {
    ingest: await freePort(),
    consumer: await freePort(),
    rollup: await freePort(),
    dashboard: await freePort(),
    demo: await freePort(),
  };
  const dashboardToken = `faults-${randomUUID()}`;
  let kafka: KafkaBroker | undefined;
  let influx: InfluxServer | undefined;
  let ingest: ManagedProcess | undefined;
  let consumer: ManagedProcess | undefined;
  let dashboard: ManagedProcess | undefined;
  const removeData = () => {
    if (!infraConfig.keepTestData) rmSync(dataDir, { recursive: true, force: true });
  };
  const started = createTeardown();
  started.add(async () => removeData());
  // Already-started processes are stopped if a later one fails to start.
  const { brokers, bucket, spec } = await started.guard(async () => {
    kafka = await startKafka(kafkaOptions);
    started.add(async () => kafka?.stop());
    influx = await startInflux(influxOptions);
    started.add(async () => influx?.stop());
    const bucket = await createBucket(influx.url, DEFAULT_BUCKET.database, DEFAULT_BUCKET.retentionPolicy);
    const specs = serviceSpecs({ brokers: kafka.brokers, influxUrl: influx.url, bucket }, ports, {
      EVENTLINE_CONSUMER_GROUP: groupId,
      // One load generator on 127.0.0.1 is not an abusive client.
      EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
      EVENTLINE_INGEST_LOG_LEVEL: 'warn',
      EVENTLINE_DASHBOARD_TOKEN: dashboardToken,
    });
    const spec = (name: ServiceSpec['name']): ServiceSpec => specs.find((s) => s.name === name) as ServiceSpec;
    ingest = await startService(spec('ingest'), logDir);
    started.add(async () => ingest?.stop());
    consumer = await startService(spec('consumer'), logDir);
    started.add(async () => consumer?.stop());
    if (options.dashboard) dashboard = await startService(spec('dashboard'), logDir);
    return { brokers: kafka.brokers, bucket, spec };
  });

  return {
    brokers,
    influxUrl: `http://127.0.0.1:${influxOptions.httpPort}`,
    bucket,
    topic: TOPICS.events,
    groupId,
    ingestUrl: `http://127.0.0.1:${ports.ingest}`,
    writeKey: DEMO_WRITE_KEY,
    site: DEMO_SITE,
    origin: `http://127.0.0.1:${ports.demo}`,
    dataDir,
    ...(dashboard ? { dashboard: { url: `http://127.0.0.1:${ports.dashboard}`, token: dashboardToken } } : {}),
    async killKafka() {
      await kafka?.kill();
      kafka = undefined;
    },
    async startKafka() {
      kafka = await startKafka(kafkaOptions);
    },
    async stopInflux() {
      await influx?.stop();
      influx = undefined;
    },
    async startInflux() {
      influx = await startInflux(influxOptions);
    },
    async killConsumer() {
      await consumer?.kill();
      consumer = undefined;
    },
    async startConsumer() {
      consumer = await startService(spec('consumer'), logDir);
    },
    async stopIngest() {
      await ingest?.stop();
      ingest = undefined;
    },
    async startIngest() {
      ingest = await startService(spec('ingest'), logDir);
    },
    async stop() {
      await Promise.all([ingest?.stop(), consumer?.stop(), dashboard?.stop()]);
      await Promise.all([kafka?.stop(), influx?.stop()]);
      removeData();
    },
  };
}
