// Completeness under faults: the real pipeline (Kafka, InfluxDB, ingest,
// consumer as processes) under a steady load, with one fault per scenario
// (see scenario.ts for what is counted and required).
import { afterEach, describe, it } from 'vitest';
import { runScenario as scenario, sleep, stopScenarioStack } from './scenario.ts';

afterEach(stopScenarioStack);

describe('the pipeline under faults', () => {
  it('loses and doubles nothing when the Kafka broker is SIGKILLed mid-load and back after 10 s', async () => {
    await scenario('kafka SIGKILL', async (s) => {
      await s.killKafka();
      await sleep(10_000);
      await s.startKafka();
    });
  });

  it('loses and doubles nothing when the consumer is SIGKILLed mid-load and restarted', async () => {
    await scenario('consumer SIGKILL', async (s) => {
      await s.killConsumer();
      await sleep(2_000);
      await s.startConsumer();
    });
  });

  it('loses and doubles nothing when InfluxDB is down for 20 s', async () => {
    await scenario('influxdb down 20 s', async (s) => {
      await s.stopInflux();
      await sleep(20_000);
      await s.startInflux();
    });
  });

  it('loses and doubles nothing when ingest restarts mid-load and clients retry', async () => {
    await scenario('ingest restart', async (s) => {
      await s.stopIngest();
      await sleep(2_000);
      await s.startIngest();
    });
  });
});
