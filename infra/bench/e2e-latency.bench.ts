// End-to-end latency: from the moment a batch leaves the client to the moment
// its event can be queried from InfluxDB, through the real ingest → Kafka →
// consumer → InfluxDB path. Baseline in the same run: the same event written
// straight to InfluxDB and queried back (the floor any pipeline pays).
import { randomUUID } from 'node:crypto';
import { InfluxDB, Point, flux } from '@influxdata/influxdb-client';
import { FIELD, MEASUREMENT } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { startStackUnderTest } from '../src/load/stack-under-test.ts';
import { provisionInfra } from '../src/stack.ts';
import { consoleProgress } from '../src/progress.ts';
import { percentile, printResult } from '../src/bench-report.ts';

const SAMPLES = 200;

await provisionInfra(consoleProgress('bench'));
const stack = await startStackUnderTest();
try {
  const influx = new InfluxDB({ url: stack.influxUrl, token: '' });
  const queryApi = influx.getQueryApi('');
  const isStored = async (id: string, bucket: string) => {
    const rows = await queryApi.collectRows(
      flux`from(bucket: ${bucket}) |> range(start: -1h) |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r._field == ${FIELD.id} and r._value == ${id}) |> limit(n: 1)`,
    );
    return rows.length > 0;
  };
  const waitStored = async (id: string, bucket: string) => {
    while (!(await isStored(id, bucket))) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  const pipeline: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const event = sampleEvent({ id: randomUUID(), seq: i, timestamp: Date.now() });
    const started = performance.now();
    const response = await fetch(`${stack.ingestUrl}/v1/batch?writeKey=${stack.writeKey}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: stack.origin },
      body: JSON.stringify({ sentAt: Date.now(), events: [event] }),
    });
    if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    await waitStored(event.id, stack.bucket);
    pipeline.push(performance.now() - started);
  }

  const direct: number[] = [];
  const writer = influx.getWriteApi('', stack.bucket, 'ms', { batchSize: 1, maxRetries: 0 });
  for (let i = 0; i < SAMPLES; i++) {
    const id = randomUUID();
    const started = performance.now();
    writer.writePoint(new Point(`${MEASUREMENT}`).tag('site', 'baseline').tag('type', 'click').stringField(FIELD.id, id).timestamp(Date.now()));
    await writer.flush();
    await waitStored(id, stack.bucket);
    direct.push(performance.now() - started);
  }
  await writer.close();

  printResult({
    name: 'e2e-latency',
    description: `batch sent → event queryable in InfluxDB, ${SAMPLES} sequential events`,
    figures: [
      { metric: 'p50', unit: 'ms', value: percentile(pipeline, 50), baseline: percentile(direct, 50), baselineLabel: 'direct InfluxDB write → queryable' },
      { metric: 'p99', unit: 'ms', value: percentile(pipeline, 99), baseline: percentile(direct, 99), baselineLabel: 'direct InfluxDB write → queryable' },
    ],
  });
} finally {
  await stack.stop();
}
