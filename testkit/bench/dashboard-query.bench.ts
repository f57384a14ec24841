// Dashboard read-API latency over 1 000 000 stored events: a private InfluxDB
// filled through the consumer's own toPoint() (the exact storage schema) with
// events spread over 7 days, then the API built in-process and timed through
// app.inject. Baseline in the same run: the raw Flux count of the same range
// straight from InfluxDB, the least any read of that range costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB, flux, fluxDateTime, fluxString } from '@influxdata/influxdb-client';
import { FIELD, MEASUREMENT, preferredSlot, type EnrichedEvent, type Event } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { toPoint } from '@eventline/consumer/to-point';
import { buildApp } from '@eventline/dashboard/app';
import { LOCAL_DEFAULT_TOKEN, loadConfig } from '@eventline/dashboard/config';
import { percentile, printResult, timeRuns, type Figure } from '../src/bench-report.ts';
import { consoleProgress, createBucket, freePort, provisionInfra, startInflux } from '@eventline/infra';

const EVENTS = Number(process.env['EVENTLINE_BENCH_STORED_EVENTS'] ?? 1_000_000);
const RUNS = Number(process.env['EVENTLINE_BENCH_RUNS'] ?? 20);
/** A slow query stops after this long once it has MIN_RUNS samples, so the whole benchmark stays within minutes. */
const BUDGET_MS = 15_000;
const MIN_RUNS = 5;
const LINES_PER_WRITE = 5_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPAN = 7 * DAY;
const SESSIONS = 5_000;
const TYPES: Event['type'][] = ['click', 'click', 'click', 'input', 'change', 'pageview', 'custom'];
const SITES = ['shop', 'blog', 'docs'];

/** Event `i` of EVENTS, as the consumer receives it: sessions number their events from 0, newest last. */
function enrichedEvent(i: number, now: number): EnrichedEvent {
  const type = TYPES[i % TYPES.length] ?? 'click';
  const session = i % SESSIONS;
  const eventTime = now - SPAN + Math.floor((i / EVENTS) * SPAN);
  const page = { url: `https://shop.example/p/${i % 40}`, path: `/p/${i % 40}`, title: `Product ${i % 40}` };
  const event = sampleEvent({
    type,
    name: type === 'custom' ? 'checkout_step' : type,
    timestamp: eventTime,
    seq: Math.floor(i / SESSIONS),
    anonymousId: `anon-${session.toString().padStart(16, '0')}`,
    sessionId: `sess-${session.toString().padStart(16, '0')}`,
    page,
    ...(type === 'pageview' || type === 'custom'
      ? { element: undefined }
      : {
          element: {
            tag: 'button',
            id: `b${i % 60}`,
            selector: `#b${i % 60}`,
            text: `Control ${i % 60}`,
            attributes: { plan: i % 2 ? 'pro' : 'free' },
          },
        }),
    ...(type === 'custom' ? { properties: { step: i % 4, plan: 'pro' } } : {}),
  });
  return {
    event,
    site: SITES[i % SITES.length] ?? 'shop',
    receivedAt: eventTime + 40,
    eventTime,
    userAgent: { browser: 'Chrome', os: 'Linux', device: 'desktop' },
  };
}

async function seed(influxUrl: string, bucket: string, now: number): Promise<void> {
  const url = `${influxUrl}/api/v2/write?org=&bucket=${encodeURIComponent(bucket)}&precision=ns`;
  let next = 0;
  // Two writers keep InfluxDB busy while the next chunk is built.
  const writer = async (): Promise<void> => {
    while (next < EVENTS) {
      const start = next;
      next = Math.min(EVENTS, next + LINES_PER_WRITE);
      const lines: string[] = [];
      for (let i = start; i < next; i++) {
        const event = enrichedEvent(i, now);
        lines.push(toPoint(event, { shard: 0, slot: preferredSlot(event.event) }));
      }
      const response = await fetch(url, { method: 'POST', body: lines.join('\n') });
      if (response.status !== 204) throw new Error(`write answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all([writer(), writer()]);
}

const time = (run: () => Promise<unknown>) => timeRuns(run, { runs: RUNS, budgetMs: BUDGET_MS, minRuns: MIN_RUNS });

await provisionInfra(consoleProgress('bench'));
const dataDir = mkdtempSync(join(tmpdir(), 'eventline-dashboard-bench-'));
const influx = await startInflux({ httpPort: await freePort(), rpcPort: await freePort(), dataDir });
try {
  const bucket = await createBucket(influx.url, 'dashboard_bench', 'events');
  const now = Date.now();
  const seedStarted = performance.now();
  await seed(influx.url, bucket, now);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const queryApi = new InfluxDB({ url: influx.url, token: '', timeout: 300_000 }).getQueryApi('');
  const rawCount = async (rangeMs: number): Promise<number> => {
    const rows = await queryApi.collectRows<{ _value: number }>(flux`from(bucket: ${fluxString(bucket)})
  |> range(start: ${fluxDateTime(new Date(now - rangeMs).toISOString())}, stop: ${fluxDateTime(new Date(now + 1).toISOString())})
  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)} and r._field == ${fluxString(FIELD.id)})
  |> count()`);
    return rows.reduce((sum, row) => sum + Number(row._value), 0);
  };
  const stored = await rawCount(SPAN + HOUR);
  if (stored !== EVENTS) throw new Error(`InfluxDB holds ${stored} events, expected ${EVENTS}`);

  const app = await buildApp(
    loadConfig({
      EVENTLINE_INFLUX_URL: influx.url,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_LOG_LEVEL: 'silent',
      EVENTLINE_DASHBOARD_QUERY_TIMEOUT_MS: '300000',
    }),
  );
  try {
    const api = async (path: string): Promise<string> => {
      const response = await app.inject({ url: path, headers: { authorization: `Bearer ${LOCAL_DEFAULT_TOKEN}` } });
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`);
      return response.body;
    };
    // Absolute ranges ending just after the newest event, so every run reads the same points.
    const range = (ms: number) => `from=${new Date(now - ms).toISOString()}&to=${new Date(now + 1).toISOString()}`;
    // A fast wrong answer is no result: the first page must be full and start at the newest event.
    const firstPage = JSON.parse(await api(`/api/events?${range(SPAN)}`)) as { events: Array<{ id: string }> };
    if (firstPage.events.length !== 50)
      throw new Error(`first page holds ${firstPage.events.length} events, expected 50`);
    const ranges: Array<[label: string, ms: number]> = [
      ['1h', HOUR],
      ['24h', DAY],
      ['7d', SPAN],
    ];
    const baselines = new Map<string, number[]>();
    for (const [label, ms] of ranges) baselines.set(label, await time(() => rawCount(ms)));

    const figures: Figure[] = [];
    const measure = async (metric: string, rangeLabel: string, path: string): Promise<void> => {
      const samples = await time(() => api(path));
      const baseline = baselines.get(rangeLabel) ?? [];
      const baselineLabel = `raw Flux count ${rangeLabel}`;
      process.stdout.write(`  ${metric}: ${samples.length} runs\n`);
      figures.push(
        {
          metric: `${metric} p50`,
          unit: 'ms',
          value: percentile(samples, 50),
          baseline: percentile(baseline, 50),
          baselineLabel,
        },
        {
          metric: `${metric} p99`,
          unit: 'ms',
          value: percentile(samples, 99),
          baseline: percentile(baseline, 99),
          baselineLabel,
        },
      );
    };
    for (const [label, ms] of ranges) await measure(`events ${label}`, label, `/api/events?${range(ms)}`);
    for (const [label, ms] of ranges.slice(1))
      await measure(`timeseries ${label}`, label, `/api/stats/timeseries?${range(ms)}`);
    for (const [label, ms] of ranges.slice(1))
      await measure(`top element ${label}`, label, `/api/stats/top?dimension=element&${range(ms)}`);

    printResult({
      name: 'dashboard-query',
      description: `read API over ${EVENTS} stored events spread over 7 days (seeded in ${seedSeconds.toFixed(0)} s), up to ${RUNS} runs each, in-process via app.inject`,
      figures,
    });
  } finally {
    await app.close();
  }
} finally {
  await influx.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
