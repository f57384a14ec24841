// A private Eventline pipeline for one fault scenario: its own Kafka, InfluxDB,
// ingest and consumer on free ports, each of which can be killed and restarted
// without touching any other test's infrastructure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@eventline/contract';
import { infraConfig } from '../config.ts';
import { createBucket, startInflux, type InfluxServer } from '../influx.ts';
import { startKafka, type KafkaBroker } from '../kafka.ts';
import { freePort } from '../ports.ts';
import type { ManagedProcess } from '../process.ts';
import { DEMO_WRITE_KEY, serviceSpecs, startService, type ServiceSpec } from '../services.ts';
import { DEFAULT_BUCKET } from '../stack.ts';

export interface StackUnderTest {
  readonly brokers: string[];
  readonly influxUrl: string;
  readonly bucket: string;
  readonly topic: string;
  readonly groupId: string;
  readonly ingestUrl: string;
  readonly writeKey: string;
  /** An origin the write key accepts. */
  readonly origin: string;
  readonly dataDir: string;
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

export async function startStackUnderTest(): Promise<StackUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventline-faults-'));
  const kafkaOptions = { port: await freePort(), controllerPort: await freePort(), dataDir: join(dataDir, 'kafka') };
  const influxOptions = { httpPort: await freePort(), rpcPort: await freePort(), dataDir: join(dataDir, 'influxdb') };
  const ports = { ingest: await freePort(), consumer: await freePort(), dashboard: await freePort(), demo: await freePort() };
  let kafka: KafkaBroker | undefined = await startKafka(kafkaOptions);
  let influx: InfluxServer | undefined = await startInflux(influxOptions);
  const bucket = await createBucket(influx.url, DEFAULT_BUCKET.database, DEFAULT_BUCKET.retentionPolicy);
  const groupId = 'eventline-faults';
  const specs = serviceSpecs({ brokers: kafka.brokers, influxUrl: influx.url, bucket }, ports, {
    EVENTLINE_CONSUMER_GROUP: groupId,
    // One load generator on 127.0.0.1 is not an abusive client.
    EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
    EVENTLINE_INGEST_LOG_LEVEL: 'warn',
  });
  const spec = (name: ServiceSpec['name']): ServiceSpec => specs.find((s) => s.name === name) as ServiceSpec;
  const logDir = join(dataDir, 'logs');
  let ingest: ManagedProcess | undefined = await startService(spec('ingest'), logDir);
  let consumer: ManagedProcess | undefined = await startService(spec('consumer'), logDir);

  return {
    brokers: kafka.brokers,
    influxUrl: influx.url,
    bucket,
    topic: TOPICS.events,
    groupId,
    ingestUrl: `http://127.0.0.1:${ports.ingest}`,
    writeKey: DEMO_WRITE_KEY,
    origin: `http://127.0.0.1:${ports.demo}`,
    dataDir,
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
      await Promise.all([ingest?.stop(), consumer?.stop()]);
      await Promise.all([kafka?.stop(), influx?.stop()]);
      if (!infraConfig.keepTestData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
