import { InfluxDB } from '@influxdata/influxdb-client';
import { createBucket } from '@eventline/infra';
import { createTestBucket, testInfra, uniqueName } from '@eventline/testkit';
import { describe, expect, it } from 'vitest';
import { createInfluxWriter } from '../src/influx-writer.ts';
import { testLogger } from './support/fixtures.ts';

function writer(bucket: string) {
  const { influxUrl } = testInfra();
  return createInfluxWriter({
    client: new InfluxDB({ url: influxUrl, timeout: 10_000 }),
    org: '',
    bucket,
    logger: testLogger(),
  });
}

/** Values of field `f` stored in the bucket. */
async function stored(bucket: string): Promise<number[]> {
  const api = new InfluxDB({ url: testInfra().influxUrl, timeout: 30_000 }).getQueryApi('');
  const rows = await api.collectRows<{ _value: number }>(
    `from(bucket: ${JSON.stringify(bucket)}) |> range(start: 0) |> filter(fn: (r) => r._field == "f") |> keep(columns: ["_value"])`,
  );
  return rows.map((r) => r._value).sort((a, b) => a - b);
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const lines = (count: number, at = nowNs()) => Array.from({ length: count }, (_, i) => `m f=${i}i ${at + BigInt(i)}`);

describe('influx writer (real InfluxDB 1.8)', () => {
  it('refuses the whole request, retriably, when the database does not exist', async () => {
    const error = await writer(`${uniqueName('missing').replace(/-/g, '_')}/events`)
      .write(lines(10))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONSUMER_INFLUX_REFUSED', retriable: true });
    expect((error as Error).message).toContain('404 database not found');
  });

  it('refuses the whole request, retriably, when the retention policy does not exist', async () => {
    const database = (await createTestBucket('norp')).split('/')[0]!;
    const error = await writer(`${database}/nosuchpolicy`)
      .write(lines(10))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONSUMER_INFLUX_REFUSED', retriable: true });
    expect((error as Error).message).toContain('retention policy not found');
  });

  it('returns only the refused points of a batch and stores the others', async () => {
    const bucket = await createTestBucket('mixed');
    const at = nowNs();
    const batch = lines(100, at);
    batch[37] = `m f=1.5 ${at + 37n}`;
    batch[80] = 'm f=garbage= 1';
    const refused = await writer(bucket).write(batch);
    expect(refused.map((r) => r.index)).toEqual([37, 80]);
    expect(refused[0]!.reason).toContain('field type conflict');
    expect(refused[1]!.reason).toContain('unable to parse');
    expect(await stored(bucket)).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 37 && i !== 80));
  });

  it('refuses a point older than the retention policy keeps, even when it is the whole batch', async () => {
    const bucket = await createBucket(testInfra().influxUrl, uniqueName('short').replace(/-/g, '_'), 'hour', '1h');
    const old = nowNs() - 86_400_000_000_000n;
    expect((await writer(bucket).write([...lines(5), `m f=99i ${old}`])).map((r) => r.index)).toEqual([5]);
    expect((await writer(bucket).write(lines(3, old))).map((r) => r.index)).toEqual([0, 1, 2]);
    expect(await stored(bucket)).toEqual([0, 1, 2, 3, 4]);
  });

  it('retries instead of refusing point by point when every point conflicts with its shard', async () => {
    const bucket = await createTestBucket('conflict');
    const at = nowNs();
    expect(await writer(bucket).write([`m f="text" ${at - 1n}`])).toEqual([]);
    const error = await writer(bucket)
      .write(lines(50, at))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONSUMER_INFLUX_REFUSED', retriable: true });
    expect((error as Error).message).toContain('field type conflict');
  });
});
