// The whole Eventline stack as processes (ingest, consumer, rollup worker,
// dashboard, demo site) against the shared test Kafka and InfluxDB, with its
// own bucket, topics and consumer groups (startTestServices), so two such stacks
// never see each other's events. Every service answers its readiness check
// before this returns.
import { DEMO_SITE, DEMO_WRITE_KEY } from '@eventline/infra/services';
import { startTestServices } from './test-services.ts';

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
  const services = await startTestServices(prefix, {
    services: ['ingest', 'consumer', 'rollup', 'dashboard', 'demo-site'],
  });
  return {
    ingestUrl: services.urls.ingest,
    dashboardUrl: services.urls.dashboard,
    demoUrl: services.urls.demo,
    bucket: services.bucket,
    site: DEMO_SITE,
    writeKey: DEMO_WRITE_KEY,
    stop: services.stop,
  };
}
