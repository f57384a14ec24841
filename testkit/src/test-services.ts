// Eventline services as processes on the integration project's shared Kafka and
// InfluxDB, for end-to-end suites: free ports, and topics, a bucket and groups of
// their own, so suites never share state. Services that started are stopped if a
// later one fails to start.
import { freePort, type ManagedProcess } from '@eventline/infra';
import { serviceSpecs, startService, type ServicePorts, type ServiceSpec } from '@eventline/infra/services';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from './testing.ts';

export interface TestServicesOptions {
  /** Which services to start, in this order. */
  services: readonly ServiceSpec['name'][];
  /** Environment for every service, over the suite's own names and the defaults. Default: none */
  env?: Record<string, string>;
}

export interface TestServices {
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly touchedHoursTopic: string;
  readonly bucket: string;
  readonly consumerGroup: string;
  /** Each service's base URL (`http://127.0.0.1:port`), whether started or not. */
  readonly urls: Readonly<Record<keyof ServicePorts, string>>;
  /** An origin the demo write key accepts: the demo site's. */
  readonly origin: string;
  stop(): Promise<void>;
}

/** Starts `options.services`, each ready, with topics, bucket, groups and logs named after `prefix`. */
export async function startTestServices(prefix: string, options: TestServicesOptions): Promise<TestServices> {
  const infra = testInfra();
  const topic = await createTestTopic(prefix, 3);
  const deadLetterTopic = await createTestTopic(`${prefix}-dlq`, 1);
  const touchedHoursTopic = await createTestTopic(`${prefix}-touched`, 3);
  const bucket = await createTestBucket(prefix);
  const consumerGroup = uniqueName(prefix);
  const ports: ServicePorts = {
    ingest: await freePort(),
    consumer: await freePort(),
    rollup: await freePort(),
    dashboard: await freePort(),
    demo: await freePort(),
  };
  const specs = serviceSpecs({ brokers: infra.brokers, influxUrl: infra.influxUrl, bucket }, ports, {
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_KAFKA_DLQ_TOPIC: deadLetterTopic,
    EVENTLINE_CONSUMER_GROUP: consumerGroup,
    EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: touchedHoursTopic,
    EVENTLINE_ROLLUP_GROUP: uniqueName(`${prefix}-rollup`),
    // A suite's valid requests must be answered 200 the first time: no rate limit for its one client, and no
    // latency shedding (a 503 whenever the shared machine stalls a process), which ingest/test/load-shedding.test.ts
    // and `npm run overload` test.
    EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
    EVENTLINE_INGEST_SHED_EVENT_LOOP_DELAY_MS: '0',
    EVENTLINE_INGEST_SHED_PRODUCE_WAIT_MS: '0',
    ...options.env,
  });
  const logDir = `${infra.dataDir}/${uniqueName(`${prefix}-logs`)}`;
  const running: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all(running.splice(0).map((service) => service.stop()));
  };
  try {
    for (const name of options.services) {
      running.push(await startService(specs.find((spec) => spec.name === name) as ServiceSpec, logDir));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    topic,
    deadLetterTopic,
    touchedHoursTopic,
    bucket,
    consumerGroup,
    urls: {
      ingest: url(ports.ingest),
      consumer: url(ports.consumer),
      rollup: url(ports.rollup),
      dashboard: url(ports.dashboard),
      demo: url(ports.demo),
    },
    origin: url(ports.demo),
    stop,
  };
}
