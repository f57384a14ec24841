import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestBucket, sleep, testInfra } from '@eventline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxQL, type InfluxQLOptions } from '../src/influxql.ts';

const POINTS = 4_000;
const CHUNK = 20;
/** Per chunk, as a reader busy with each chunk spends it. */
const CHUNK_WORK_MS = 5;

let database: string;
let policy: string;

beforeAll(async () => {
  [database, policy] = (await createTestBucket('influxql')).split('/') as [string, string];
  const writer = createInfluxQL({ url: testInfra().influxUrl, database });
  const start = Date.UTC(2026, 10, 2, 9);
  const lines = Array.from({ length: POINTS }, (_, i) => `m,site=a v=${i}i ${start + i}`);
  await writer.write(lines, policy);
});

/** Every row of the measurement, chunk by chunk, working CHUNK_WORK_MS on each; answers the rows and the time taken. */
async function readSlowly(options: Partial<InfluxQLOptions>): Promise<{ rows: number; ms: number }> {
  const influxql = createInfluxQL({ url: testInfra().influxUrl, database, chunkSize: CHUNK, ...options });
  const started = performance.now();
  let rows = 0;
  for await (const chunk of influxql.rows(`SELECT v FROM "${database}"."${policy}"."m"`)) {
    rows += chunk.length;
    await sleep(CHUNK_WORK_MS);
  }
  return { rows, ms: performance.now() - started };
}

describe('InfluxQL deadlines', () => {
  it('streams a long read to its end while chunks keep coming, however long it takes in all', async () => {
    // A busy hour rolled up reads for longer than the timeout; only a stall may cut it.
    const timeoutMs = 250;
    const { rows, ms } = await readSlowly({ timeoutMs });
    expect(rows).toBe(POINTS);
    expect(ms, 'the read outlasted the timeout, so the timeout is not on the whole request').toBeGreaterThan(
      timeoutMs * 2,
    );
  });

  it('cuts a read at totalTimeoutMs, with the rollups’ error for an InfluxDB that did not answer in time', async () => {
    await expect(readSlowly({ timeoutMs: 10_000, totalTimeoutMs: 250 })).rejects.toMatchObject({
      code: 'ROLLUP_INFLUX_UNAVAILABLE',
    });
  });

  describe('a server that stops sending', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      // Answers, sends one chunk of rows, then nothing: a stalled InfluxDB.
      server = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(
          `${JSON.stringify({ results: [{ series: [{ columns: ['time', 'v'], values: [[1, 1]] }] }] })}\n`,
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('fails the read timeoutMs after the last chunk, naming the wait', async () => {
      const influxql = createInfluxQL({ url, database: 'any', timeoutMs: 200 });
      const chunks: unknown[] = [];
      const started = performance.now();
      const read = (async () => {
        for await (const chunk of influxql.rows('SELECT v FROM m')) chunks.push(chunk);
      })();
      await expect(read).rejects.toMatchObject({
        code: 'ROLLUP_INFLUX_UNAVAILABLE',
        message: expect.stringContaining('nothing from InfluxDB for 200 ms'),
      });
      expect(chunks).toHaveLength(1);
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  });
});
