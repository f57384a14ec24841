import { InfluxDB } from '@influxdata/influxdb-client';
import { freePort } from '@eventline/infra';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../src/errors.ts';
import { createInfluxWriter, influxHealthy } from '../src/influx-writer.ts';

describe('influx writer', () => {
  it('rejects with a retriable CONSUMER_INFLUX_UNAVAILABLE when InfluxDB cannot be reached', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const writer = createInfluxWriter({ client: new InfluxDB({ url, timeout: 1_000 }), org: '', bucket: 'db/rp', logger: pino({ level: 'silent' }) });
    const error = await writer.write(['m f=1i 1']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerError);
    expect(error).toMatchObject({ code: 'CONSUMER_INFLUX_UNAVAILABLE', retriable: true });
    expect(await influxHealthy(url, 500)).toBe(false);
  });

  it('does not send an empty batch', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const writer = createInfluxWriter({ client: new InfluxDB({ url }), org: '', bucket: 'db/rp', logger: pino({ level: 'silent' }) });
    expect(await writer.write([])).toEqual([]);
  });
});
