// Starts one Kafka broker and one InfluxDB for the integration tests, on free
// ports with throwaway data dirs, and always tears them down. Tests isolate
// themselves with unique topics and buckets (see testing.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { consoleProgress, infraConfig, provisionInfra, startInfra } from '@eventline/infra';
import { buildServices } from './build-services.ts';
import type { TestInfra } from './testing.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const progress = consoleProgress('test-infra');
  await Promise.all([provisionInfra(progress), buildServices()]);
  const dataDir = mkdtempSync(join(tmpdir(), 'eventline-test-'));
  const infra = await startInfra({ dataDir }, progress);
  const provided: TestInfra = {
    brokers: infra.kafka.brokers,
    influxUrl: infra.influx.url,
    bucket: infra.bucket,
    dataDir,
  };
  project.provide('eventlineInfra', provided);
  progress.info(`logs under ${dataDir}`);
  return async () => {
    await infra.stop();
    if (!infraConfig.keepTestData) rmSync(dataDir, { recursive: true, force: true });
  };
}
