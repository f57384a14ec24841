// The whole Eventline stack as processes (ingest, consumer, rollup worker,
// dashboard, demo site) against the shared test Kafka and InfluxDB, with its
// own bucket, topics and consumer groups, so two such stacks never see each
// other's events. Every service answers its readiness check before this returns.
import { join } from 'node:path';
import { freePort, type ManagedProcess } from '@eventline/infra';
import { DEMO_SITE, DEMO_WRITE_KEY, serviceSpecs, startService } from '@eventline/infra/services';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from './testing.ts';

export interface TestStack {
  readonly ingestUrl: string;
  readonly dashboardUrl: string;
  readonly demoUrl: string;
  readonly bucket: string;
  /** The site the demo site's write key records to. */
  readonly site: string;
  readonly writeKey: string;
  /** Stops every service; the bucket and topics stay until the global teardown. */
  stop(): Promise<void>;
}

/** Starts the stack; `prefix` names its bucket, topics and log folder. */
export async function startTestStack(prefix: string): Promise<TestStack> {
  const infra = testInfra();
  const bucket = await createTestBucket(prefix);
  const topic = await createTestTopic(prefix, 3);
  const deadLetterTopic = await createTestTopic(`${prefix}-dlq`, 1);
  const touchedHoursTopic = await createTestTopic(`${prefix}-touched`, 1);
  const ports = {
    ingest: await freePort(),
    consumer: await freePort(),
    rollup: await freePort(),
    dashboard: await freePort(),
    demo: await freePort(),
  };
  const specs = serviceSpecs({ brokers: infra.brokers, influxUrl: infra.influxUrl, bucket }, ports, {
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_KAFKA_DLQ_TOPIC: deadLetterTopic,
    EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: touchedHoursTopic,
    EVENTLINE_CONSUMER_GROUP: uniqueName(prefix),
    EVENTLINE_ROLLUP_GROUP: uniqueName(`${prefix}-rollup`),
  });
  const logDir = join(infra.dataDir, uniqueName(`${prefix}-logs`));
  const services: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all(services.map((service) => service.stop()));
  };
  try {
    for (const spec of specs) services.push(await startService(spec, logDir));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ingestUrl: `http://127.0.0.1:${ports.ingest}`,
    dashboardUrl: `http://127.0.0.1:${ports.dashboard}`,
    demoUrl: `http://127.0.0.1:${ports.demo}`,
    bucket,
    site: DEMO_SITE,
    writeKey: DEMO_WRITE_KEY,
    stop,
  };
}
