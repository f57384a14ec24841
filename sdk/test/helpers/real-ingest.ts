// The real ingest service, as its own process on the shared test broker, for
// the packaging tests: what an installed SDK sends must be accepted by the
// service users run, not only by the stub. Its write key (DEMO_WRITE_KEY)
// allows pages on `pageOrigin`.
import { join } from 'node:path';
import { freePort, type ManagedProcess } from '@eventline/infra';
import { DEMO_WRITE_KEY, serviceSpecs, startService } from '@eventline/infra/services';
import { createTestTopic, testInfra, uniqueName } from '@eventline/testkit';

export interface RealIngest {
  url: string;
  writeKey: string;
  stop(): Promise<void>;
}

export async function startRealIngest(pageOrigin: string): Promise<RealIngest> {
  const infra = testInfra();
  const port = await freePort();
  const spec = serviceSpecs(
    { brokers: infra.brokers, influxUrl: infra.influxUrl, bucket: 'unused/unused' },
    { ingest: port, consumer: 0, rollup: 0, dashboard: 0, demo: Number(new URL(pageOrigin).port) },
    { EVENTLINE_KAFKA_TOPIC: await createTestTopic('sdk-package', 1), EVENTLINE_INGEST_LOG_LEVEL: 'warn' },
  ).find((s) => s.name === 'ingest')!;
  const service: ManagedProcess = await startService(spec, join(infra.dataDir, uniqueName('sdk-package-logs')));
  return { url: `http://127.0.0.1:${port}`, writeKey: DEMO_WRITE_KEY, stop: () => service.stop() };
}
