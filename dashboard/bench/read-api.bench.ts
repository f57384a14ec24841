// Read-API latency over a private InfluxDB holding BENCH_EVENTS events spread
// over 24 h: a page of events (two-phase: positions from the `id` field, then
// only those points pivoted) against the straightforward single query that
// pivots the whole range before sorting and limiting, plus search, time series
// and top lists. Prints a table and a BENCH_RESULT line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEASUREMENT } from '@eventline/contract';
import { createBucket, freePort, startInflux } from '@eventline/infra';
import { percentile, printResult } from '@eventline/testkit/bench-report';
import { flux, fluxDateTime, fluxString, InfluxDB } from '@influxdata/influxdb-client';
import { buildApp } from '../src/server/app.ts';
import { loadConfig, LOCAL_DEFAULT_TOKEN } from '../src/server/config.ts';
import { clickAt, seedEvents, type SeedEvent } from '../test/seed.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 50_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 9);
const DAY = 86_400_000;
const TYPES = ['click', 'input', 'change', 'pageview'] as const;

const dataDir = mkdtempSync(join(tmpdir(), 'dashboard-bench-'));
const influx = await startInflux({ httpPort: await freePort(), rpcPort: await freePort(), dataDir });
try {
  const bucket = await createBucket(influx.url, 'bench', 'events');
  const now = Date.now();
  const seedStart = performance.now();
  for (let offset = 0; offset < EVENTS; offset += 10_000) {
    const chunk: SeedEvent[] = [];
    for (let i = offset; i < Math.min(EVENTS, offset + 10_000); i++) {
      const type = TYPES[i % TYPES.length]!;
      chunk.push({
        event: clickAt(now - Math.floor((i / EVENTS) * DAY) - 1, {
          type,
          name: type,
          element:
            type === 'pageview'
              ? undefined
              : { tag: 'button', selector: `#control-${i % 50}`, text: `Control ${i % 50}` },
          page: { url: `https://shop.example/p/${i % 20}`, path: `/p/${i % 20}`, title: `Page ${i % 20}` },
        }),
      });
    }
    await seedEvents(influx.url, bucket, chunk);
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const app = await buildApp(
    loadConfig({
      EVENTLINE_INFLUX_URL: influx.url,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_LOG_LEVEL: 'silent',
      EVENTLINE_DASHBOARD_QUERY_TIMEOUT_MS: '120000',
    }),
  );
  const api = async (url: string) => {
    const response = await app.inject({ url, headers: { authorization: `Bearer ${LOCAL_DEFAULT_TOKEN}` } });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  };
  const queryApi = new InfluxDB({ url: influx.url, token: '', timeout: 120_000 }).getQueryApi('');
  const naivePage = () =>
    queryApi.collectRows(flux`from(bucket: ${fluxString(bucket)})
  |> range(start: ${fluxDateTime(new Date(now - DAY).toISOString())}, stop: ${fluxDateTime(new Date(now).toISOString())})
  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> sort(columns: ["_time"], desc: true)
  |> limit(n: 51)`);

  const time = async (run: () => Promise<unknown>): Promise<number> => {
    await run();
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await run();
      samples.push(performance.now() - start);
    }
    return percentile(samples, 50);
  };
  const range = `from=${new Date(now - DAY).toISOString()}&to=${new Date(now).toISOString()}`;
  const page = await time(() => api(`/api/events?${range}&limit=50`));
  const naive = await time(naivePage);
  const search = await time(() => api(`/api/events?${range}&limit=50&q=control%207`));
  const series = await time(() => api(`/api/stats/timeseries?${range}`));
  const top = await time(() => api(`/api/stats/top?${range}&dimension=element`));
  await app.close();

  printResult({
    name: 'dashboard-read-api',
    description: `median latency over ${RUNS} runs, ${EVENTS} events in 24 h (seeded in ${seedSeconds.toFixed(1)} s), InfluxDB 1.8 on this machine`,
    figures: [
      { metric: 'events page', unit: 'ms', value: page, baseline: naive, baselineLabel: 'pivot-whole-range query' },
      { metric: 'search page', unit: 'ms', value: search },
      { metric: 'timeseries', unit: 'ms', value: series },
      { metric: 'top elements', unit: 'ms', value: top },
    ],
  });
} finally {
  await influx.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
