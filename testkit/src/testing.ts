// Helpers for integration tests: the shared infrastructure started by the
// global setup, and unique topic and bucket names so tests never share state.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createBucket, createTopics } from '@eventline/infra';

export interface TestInfra {
  brokers: string[];
  influxUrl: string;
  /** The default bucket, `eventline/events`. */
  bucket: string;
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    eventlineInfra: TestInfra;
  }
}

export function testInfra(): TestInfra {
  return inject('eventlineInfra');
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A fresh topic on the shared broker. */
export async function createTestTopic(prefix = 'test', numPartitions = 3): Promise<string> {
  const topic = uniqueName(prefix);
  await createTopics(testInfra().brokers, [{ topic, numPartitions }]);
  return topic;
}

/** A fresh database on the shared InfluxDB; returns the v2 bucket name `db/rp`. */
export async function createTestBucket(prefix = 'test'): Promise<string> {
  return createBucket(testInfra().influxUrl, uniqueName(prefix).replace(/-/g, '_'), 'events');
}
