// A private Eventline pipeline for one fault scenario: its own Kafka (one broker
// or a replicated cluster), InfluxDB, ingest and consumer instances on free ports,
// each of which can be killed and restarted without touching any other test's
// infrastructure.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@eventline/contract';
import {
  createBucket,
  createTeardown,
  DEFAULT_BUCKET,
  freePort,
  infraConfig,
  provisionInfra,
  startInflux,
  startKafka,
  type InfluxServer,
  type KafkaBroker,
  type KafkaNode,
  type ManagedProcess,
  type Progress,
} from '@eventline/infra';
import { DEMO_SITE, DEMO_WRITE_KEY, serviceSpecs, startService, type ServiceSpec } from '@eventline/infra/services';
import { buildServices } from '../build-services.ts';

export interface StackUnderTest {
  readonly brokers: string[];
  /** The brokers one by one, for scenarios that kill a single node of a cluster. */
  readonly kafkaNodes: readonly KafkaNode[];
  readonly influxUrl: string;
  readonly bucket: string;
  readonly topic: string;
  readonly groupId: string;
  /** The first ingest instance. */
  readonly ingestUrl: string;
  /** Every ingest instance, as a load balancer in front of them would spread requests. */
  readonly ingestUrls: readonly string[];
  /** Every consumer instance's HTTP server (health, /metrics). */
  readonly consumerUrls: readonly string[];
  readonly writeKey: string;
  /** The site `writeKey` belongs to. */
  readonly site: string;
  /** An origin the write key accepts. */
  readonly origin: string;
  readonly dataDir: string;
  /** The dashboard server, when started with `dashboard: true`; `token` is its read-API bearer token. */
  readonly dashboard?: { readonly url: string; readonly token: string };
  /** Every process of the pipeline that is running now, by name (ingest-0, consumer-0, kafka-1, influxdb, …). */
  processes(): { name: string; pid: number }[];
  killKafka(): Promise<void>;
  startKafka(): Promise<void>;
  stopInflux(): Promise<void>;
  startInflux(): Promise<void>;
  /** SIGKILLs consumer instance `index` (default the first). */
  killConsumer(index?: number): Promise<void>;
  startConsumer(index?: number): Promise<void>;
  stopIngest(index?: number): Promise<void>;
  /** SIGKILLs ingest instance `index`. */
  killIngest(index: number): Promise<void>;
  startIngest(index?: number): Promise<void>;
  stop(): Promise<void>;
}

const groupId = 'eventline-faults';

/**
 * What a stack needs on a fresh clone, as the test suite's global setup does: Kafka and InfluxDB provisioned and the
 * services built. Commands outside the suite (overload, soak) call it first.
 */
export async function prepareStackUnderTest(progress: Progress): Promise<void> {
  await Promise.all([provisionInfra(progress), buildServices()]);
}

export interface StackUnderTestOptions {
  /** Also start the dashboard server, for its read API (e.g. GET /api/completeness). Default: false */
  dashboard?: boolean;
  /** Also start the rollup worker, so the read API v2 answers from rollups. Default: false */
  rollup?: boolean;
  /** Kafka brokers: 1, or 3 for a cluster with replication factor 3 and min.insync.replicas=2. Default: 1 */
  kafkaBrokers?: number;
  /** Ingest processes. Default: 1 */
  ingests?: number;
  /** Consumer processes in the one consumer group. Default: 1 */
  consumers?: number;
}

export async function startStackUnderTest(options: StackUnderTestOptions = {}): Promise<StackUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventline-faults-'));
  const logDir = join(dataDir, 'logs');
  const kafkaOptions = {
    port: await freePort(),
    controllerPort: await freePort(),
    additionalNodes: await Promise.all(
      Array.from({ length: (options.kafkaBrokers ?? 1) - 1 }, async () => ({
        port: await freePort(),
        controllerPort: await freePort(),
      })),
    ),
    dataDir: join(dataDir, 'kafka'),
  };
  const influxOptions = { httpPort: await freePort(), rpcPort: await freePort(), dataDir: join(dataDir, 'influxdb') };
  const instancePorts = async (count: number) => Promise.all(Array.from({ length: count }, () => freePort()));
  const ports = {
    ingest: await instancePorts(options.ingests ?? 1),
    consumer: await instancePorts(options.consumers ?? 1),
    rollup: await freePort(),
    dashboard: await freePort(),
    demo: await freePort(),
  };
  const dashboardToken = `faults-${randomUUID()}`;
  let kafka: KafkaBroker | undefined;
  let influx: InfluxServer | undefined;
  const ingests: (ManagedProcess | undefined)[] = [];
  const consumers: (ManagedProcess | undefined)[] = [];
  let dashboard: ManagedProcess | undefined;
  let rollup: ManagedProcess | undefined;
  const removeData = () => {
    if (!infraConfig.keepTestData) rmSync(dataDir, { recursive: true, force: true });
  };
  const started = createTeardown();
  started.add(async () => removeData());
  // Already-started processes are stopped if a later one fails to start.
  const { brokers, bucket, specOf } = await started.guard(async () => {
    kafka = await startKafka(kafkaOptions);
    started.add(async () => kafka?.stop());
    influx = await startInflux(influxOptions);
    started.add(async () => influx?.stop());
    const bucket = await createBucket(influx.url, DEFAULT_BUCKET.database, DEFAULT_BUCKET.retentionPolicy);
    const brokers = kafka.brokers;
    /** The spec of `name`'s instance `index`: each instance has its own port. */
    const specOf = (name: ServiceSpec['name'], index = 0): ServiceSpec => {
      const specs = serviceSpecs(
        { brokers, influxUrl: influx?.url ?? '', bucket },
        {
          ingest: ports.ingest[index] ?? 0,
          consumer: ports.consumer[index] ?? 0,
          rollup: ports.rollup,
          dashboard: ports.dashboard,
          demo: ports.demo,
        },
        {
          EVENTLINE_CONSUMER_GROUP: groupId,
          // One load generator on 127.0.0.1 is not an abusive client.
          EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
          EVENTLINE_INGEST_LOG_LEVEL: 'warn',
          EVENTLINE_DASHBOARD_TOKEN: dashboardToken,
        },
      );
      return specs.find((s) => s.name === name) as ServiceSpec;
    };
    for (let i = 0; i < ports.ingest.length; i++) {
      ingests[i] = await startService(specOf('ingest', i), logDir, `ingest-${i}`);
      started.add(async () => ingests[i]?.stop());
    }
    for (let i = 0; i < ports.consumer.length; i++) {
      consumers[i] = await startService(specOf('consumer', i), logDir, `consumer-${i}`);
      started.add(async () => consumers[i]?.stop());
    }
    if (options.rollup) {
      rollup = await startService(specOf('rollup'), logDir);
      started.add(async () => rollup?.stop());
    }
    if (options.dashboard) dashboard = await startService(specOf('dashboard'), logDir);
    return { brokers, bucket, specOf };
  });
  const ingestUrls = ports.ingest.map((port) => `http://127.0.0.1:${port}`);

  return {
    brokers,
    get kafkaNodes() {
      return kafka?.nodes ?? [];
    },
    influxUrl: `http://127.0.0.1:${influxOptions.httpPort}`,
    bucket,
    topic: TOPICS.events,
    groupId,
    ingestUrl: ingestUrls[0] as string,
    ingestUrls,
    consumerUrls: ports.consumer.map((port) => `http://127.0.0.1:${port}`),
    writeKey: DEMO_WRITE_KEY,
    site: DEMO_SITE,
    origin: `http://127.0.0.1:${ports.demo}`,
    dataDir,
    ...(dashboard ? { dashboard: { url: `http://127.0.0.1:${ports.dashboard}`, token: dashboardToken } } : {}),
    processes() {
      const named = [
        ...ingests.map((p, i) => ({ name: `ingest-${i}`, process: p })),
        ...consumers.map((p, i) => ({ name: `consumer-${i}`, process: p })),
        { name: 'rollup', process: rollup },
        { name: 'dashboard', process: dashboard },
        ...(kafka?.nodes ?? []).map((node) => ({ name: `kafka-${node.id}`, process: node.process })),
        { name: 'influxdb', process: influx?.process },
      ];
      return named.flatMap(({ name, process }) => (process?.isRunning() ? [{ name, pid: process.pid }] : []));
    },
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
    async killConsumer(index = 0) {
      await consumers[index]?.kill();
      consumers[index] = undefined;
    },
    async startConsumer(index = 0) {
      consumers[index] = await startService(specOf('consumer', index), logDir, `consumer-${index}`);
    },
    async stopIngest(index = 0) {
      await ingests[index]?.stop();
      ingests[index] = undefined;
    },
    async killIngest(index) {
      await ingests[index]?.kill();
      ingests[index] = undefined;
    },
    async startIngest(index = 0) {
      ingests[index] = await startService(specOf('ingest', index), logDir, `ingest-${index}`);
    },
    async stop() {
      await Promise.all([...ingests, ...consumers, rollup, dashboard].map((p) => p?.stop()));
      await Promise.all([kafka?.stop(), influx?.stop()]);
      removeData();
    },
  };
}
