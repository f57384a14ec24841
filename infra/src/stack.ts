// Kafka and InfluxDB together, as npm start and the test harness use them.
import { join } from 'node:path';
import { createBucket, provisionInflux, startInflux, type InfluxServer } from './influx.ts';
import { provisionKafka, startKafka, type KafkaBroker } from './kafka.ts';
import { infraConfig } from './config.ts';
import { freePort } from './ports.ts';
import type { Progress } from './progress.ts';
import { createTeardown } from './teardown.ts';

export const DEFAULT_BUCKET = { database: 'eventline', retentionPolicy: 'events' } as const;

export async function provisionInfra(progress: Progress): Promise<void> {
  // Sequential on purpose: both are CPU-heavy and the machine may have 2 cores.
  await provisionKafka(progress);
  await provisionInflux(progress);
}

export interface InfraOptions {
  dataDir: string;
  /** Fixed ports for npm start; free ones are picked when omitted. */
  ports?: { kafka: number; kafkaController: number; influx: number; influxRpc: number };
  /**
   * Keep the brokers out of the terminal's process group, so Ctrl-C reaches the
   * services first and the brokers are stopped after them (a consumer that
   * cannot leave its group because the broker is already gone makes the next
   * start wait out the session timeout). Default: false
   */
  detached?: boolean;
  /** Kafka brokers: 1, or 3 for a replicated cluster. Default: EVENTLINE_KAFKA_BROKERS_COUNT (1) */
  kafkaBrokers?: number;
}

export interface Infra {
  readonly kafka: KafkaBroker;
  readonly influx: InfluxServer;
  /** `database/retentionPolicy` of the default bucket, created at start. */
  readonly bucket: string;
  stop(): Promise<void>;
}

export async function startInfra(options: InfraOptions, progress: Progress): Promise<Infra> {
  const ports = options.ports ?? {
    kafka: await freePort(),
    kafkaController: await freePort(),
    influx: await freePort(),
    influxRpc: await freePort(),
  };
  const brokerCount = options.kafkaBrokers ?? infraConfig.kafkaBrokers;
  // Fixed ports (npm start) put further brokers two ports up each: 9094/9095, 9096/9097.
  const additionalNodes = await Promise.all(
    Array.from({ length: brokerCount - 1 }, async (_, i) =>
      options.ports
        ? { port: ports.kafka + 2 * (i + 1), controllerPort: ports.kafkaController + 2 * (i + 1) }
        : { port: await freePort(), controllerPort: await freePort() },
    ),
  );
  const started = createTeardown();
  // Each start registers its stop as soon as it is up; both are waited for, so
  // neither is still starting when the other's failure stops what runs.
  const running = <T extends { stop(): Promise<void> }>(server: T): T => (started.add(() => server.stop()), server);
  const starts = [
    progress
      .step(
        brokerCount === 1
          ? `Starting Kafka (KRaft) on 127.0.0.1:${ports.kafka}`
          : `Starting a ${brokerCount}-broker Kafka (KRaft) cluster on 127.0.0.1:${[ports.kafka, ...additionalNodes.map((n) => n.port)].join(',')}`,
        () =>
          startKafka({
            port: ports.kafka,
            controllerPort: ports.kafkaController,
            additionalNodes,
            dataDir: join(options.dataDir, 'kafka'),
            detached: options.detached,
          }),
      )
      .then(running),
    progress
      .step(`Starting InfluxDB on 127.0.0.1:${ports.influx}`, () =>
        startInflux({
          httpPort: ports.influx,
          rpcPort: ports.influxRpc,
          dataDir: join(options.dataDir, 'influxdb'),
          detached: options.detached,
        }),
      )
      .then(running),
  ] as const;
  await Promise.allSettled(starts);
  const { kafka, influx, bucket } = await started.guard(async () => {
    const [kafka, influx] = await Promise.all(starts);
    return {
      kafka,
      influx,
      bucket: await createBucket(influx.url, DEFAULT_BUCKET.database, DEFAULT_BUCKET.retentionPolicy),
    };
  });
  return {
    kafka,
    influx,
    bucket,
    async stop() {
      await Promise.all([kafka.stop(), influx.stop()]);
    },
  };
}
