// Read API v2 over rollups against today's Flux-on-raw queries for the same
// answers, on a private InfluxDB seeded with EVENTLINE_BENCH_ANALYTICS_EVENTS
// events (default 10 000 000) over 30 days from ≈ events/200 visitors in
// sessions of ≈ 10 events, through the consumer's own placer and
// pointLine() (one shard per writer). Every touched
// hour is then rolled up as the worker does it, timed per bucket, with the
// process's memory sampled meanwhile; then each query is timed (p50, p95).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIELD, MEASUREMENT, RETENTION, type EnrichedEvent } from '@eventline/contract';
import type { BucketCompleteness, BucketCompletenessResponse } from '@eventline/contract/read-api';
import { pointLinesOf } from '@eventline/consumer/testing';
import { sampleEvent } from '@eventline/contract/testing';
import { LOCAL_DEFAULT_TOKEN, loadConfig } from '@eventline/dashboard/config';
import { buildApp } from '@eventline/dashboard/app';
import { builtUi, initialScripts } from '@eventline/dashboard/ui-build';
import { consoleProgress, createBucket, freePort, provisionInfra, startInflux } from '@eventline/infra';
import { percentile, printResult, timeRuns, type Figure } from '../src/bench-report.ts';
import { launchChromium } from '../src/browser.ts';
import { InfluxDB, flux, fluxDateTime, fluxString } from '@influxdata/influxdb-client';
import { createInfluxQL } from '@eventline/rollup/influxql';
import { planBuckets, recomputeBucket } from '@eventline/rollup/recompute';
import { ensureRetention } from '@eventline/rollup/retention';

const EVENTS = Number(process.env['EVENTLINE_BENCH_ANALYTICS_EVENTS'] ?? 10_000_000);
const RUNS = Number(process.env['EVENTLINE_BENCH_RUNS'] ?? 20);
const BUDGET_MS = 20_000;
const MIN_RUNS = 5;
/** Where to write a CPU profile of this process (the dashboard) while it serves the Analyze page's runs; unset: none. */
const CPU_PROFILE = process.env['EVENTLINE_BENCH_ANALYZE_CPU_PROFILE'];
/** Runs of a baseline at least: at 10 M events a Flux scan of the month takes minutes, so fewer may be asked for. */
const BASELINE_MIN_RUNS = Number(process.env['EVENTLINE_BENCH_BASELINE_MIN_RUNS'] ?? MIN_RUNS);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPAN = 30 * DAY;
const SITE = 'shop';
const VISITORS = Math.max(10, Math.round(EVENTS / 200));
const SESSION_EVENTS = 10;
const FUNNEL = ['/', '/pricing', '/signup', '/welcome'];
const LINES_PER_WRITE = 5_000;

/** Event `i`: sessions of SESSION_EVENTS events walking part of the funnel, 3 % of visitors bots. */
function enrichedEvent(i: number, start: number): EnrichedEvent {
  const session = Math.floor(i / SESSION_EVENTS);
  const step = i % SESSION_EVENTS;
  const visitor = (session * 7919) % VISITORS;
  const eventTime = start + Math.floor((i / EVENTS) * SPAN);
  const path = FUNNEL[Math.min(step >> 1, (session % FUNNEL.length) as number)] ?? '/';
  const type = step % 2 === 0 ? 'pageview' : step % 5 === 1 ? 'change' : 'click';
  const source = ['google', 'newsletter', 'twitter', ''][session % 4];
  return {
    event: sampleEvent({
      id: `bench-${i.toString(36).padStart(8, '0')}-event`,
      type,
      name: type,
      timestamp: eventTime,
      seq: step,
      anonymousId: `visitor-${visitor}`,
      sessionId: `session-${session}`,
      page: {
        url: `https://shop.example${path}${source ? `?utm_source=${source}&utm_medium=cpc` : ''}`,
        path,
        referrer: session % 3 === 0 ? 'https://www.google.com/' : undefined,
      },
      element:
        type === 'pageview'
          ? undefined
          : { tag: 'button', selector: `#cta-${step}`, text: `Continue ${step}`, attributes: { name: `step-${step}` } },
    }),
    site: SITE,
    receivedAt: eventTime + 40,
    eventTime,
    userAgent: {
      browser: ['Chrome', 'Firefox', 'Safari'][visitor % 3],
      os: 'Linux',
      device: 'desktop',
      ...(visitor % 33 === 0 ? { bot: true } : {}),
    },
  };
}

/** Every panel of the Analyze view has its answer: key figures and breakdown rows shown, no panel busy. */
const analyzeRendered = () =>
  Boolean(document.querySelector('[data-testid="figure-visitors-value"]')?.textContent?.trim()) &&
  document.querySelectorAll('.breakdown li[data-value]').length > 0 &&
  document.querySelector('[aria-busy="true"]') === null;
/** Every panel of the Events view has its answer: the table and completeness shown, no panel busy. */
const eventsRendered = () =>
  document.querySelector('[data-testid="events-table"]') !== null &&
  document.querySelector('[data-testid="chart-total"]')?.textContent !== '…' &&
  document.querySelector('[aria-busy="true"]') === null;

/**
 * Opens a view in Chromium until `rendered`, from opening a tab; a fresh tab each run, the browser warm. The first
 * run finds the dashboard's cache of rollup buckets cold for most of the page's dimensions; it is reported apart.
 */
async function renderView(url: string, rendered: () => boolean): Promise<{ first: number; samples: number[] }> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    const render = async () => {
      const page = await context.newPage();
      try {
        await page.goto(url);
        await page.waitForFunction(rendered, undefined, { timeout: 120_000, polling: 'raf' }).catch(async (error) => {
          // Which panels were still waiting, and what the page said went wrong.
          const waiting = await page.evaluate(() =>
            Array.from(document.querySelectorAll('[aria-busy="true"], [role="alert"], .error')).map(
              (e) => `${e.getAttribute('data-testid') ?? e.tagName}: ${e.textContent?.trim().slice(0, 200)}`,
            ),
          );
          throw new Error(`${url} not rendered: ${(error as Error).message}; ${waiting.join(' | ')}`);
        });
      } finally {
        await page.close();
      }
    };
    return { first: await once(render), samples: await time(render) };
  } finally {
    await browser.close();
  }
}

/** `run`, with this process's CPU profiled meanwhile into `file` (open it in Chrome's DevTools, Performance). */
async function profiled<T>(file: string, run: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const result = await run();
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    return result;
  } finally {
    session.disconnect();
  }
}

const once = async (run: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};
const time = (run: () => Promise<unknown>, minRuns = MIN_RUNS) =>
  timeRuns(run, { runs: RUNS, budgetMs: BUDGET_MS, minRuns });

await provisionInfra(consoleProgress('bench'));
const dataDir = mkdtempSync(join(tmpdir(), 'eventline-analytics-bench-'));
const influx = await startInflux({ httpPort: await freePort(), rpcPort: await freePort(), dataDir });
try {
  const bucket = await createBucket(influx.url, 'analytics_bench', 'events');
  const [database, rawPolicy] = bucket.split('/') as [string, string];
  const influxql = createInfluxQL({ url: influx.url, database, timeoutMs: 600_000 });
  await ensureRetention(influxql, {
    rawPolicy,
    rawDuration: 'INF',
    rollupPolicy: RETENTION.rollupPolicy,
    rollupDuration: 'INF',
  });
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const start = end - SPAN;

  const seedStarted = performance.now();
  let next = 0;
  const writer = async (shard: number): Promise<void> => {
    // A placer is one partition's, used in offset order: each concurrent writer is a partition of its own.
    const placeLines = pointLinesOf({ shard });
    while (next < EVENTS) {
      const from = next;
      next = Math.min(EVENTS, next + LINES_PER_WRITE);
      const chunk: EnrichedEvent[] = [];
      for (let i = from; i < next; i++) chunk.push(enrichedEvent(i, start));
      const lines = await placeLines(chunk);
      await influxql.write(lines, rawPolicy, 'ns');
    }
  };
  await Promise.all([writer(0), writer(1)]);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  process.stdout.write(`  seeded ${EVENTS} events in ${seedSeconds.toFixed(0)} s\n`);

  // Roll up every hour, day and month as the worker does, one bucket at a time, sampling memory.
  const bucketMs = { hour: [] as number[], day: [] as number[], month: [] as number[] };
  let peakHeap = 0;
  let peakRss = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const { heapUsed, rss } = process.memoryUsage();
    peakHeap = Math.max(peakHeap, heapUsed);
    peakRss = Math.max(peakRss, rss);
  }, 20);
  const rollupStarted = performance.now();
  const touched = Array.from({ length: SPAN / HOUR }, (_, i) => ({ site: SITE, hour: start + i * HOUR }));
  for (const bucket of planBuckets(touched)) {
    const t0 = performance.now();
    await recomputeBucket({ influxql, rawPolicy, rollupPolicy: RETENTION.rollupPolicy, maxValues: 1_000 }, bucket);
    bucketMs[bucket.grain].push(performance.now() - t0);
  }
  clearInterval(sampler);
  const rollupSeconds = (performance.now() - rollupStarted) / 1000;
  const eventsPerBucket = EVENTS / bucketMs.hour.length;

  const uiDir = await builtUi();
  const app = await buildApp(
    loadConfig({
      EVENTLINE_INFLUX_URL: influx.url,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_LOG_LEVEL: 'silent',
      EVENTLINE_DASHBOARD_QUERY_TIMEOUT_MS: '300000',
      EVENTLINE_DASHBOARD_UI_DIR: uiDir,
    }),
  );
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const queryApi = new InfluxDB({ url: influx.url, token: '', timeout: 600_000 }).getQueryApi('');
  try {
    const api = async (path: string): Promise<unknown> => {
      const response = await app.inject({ url: path, headers: { authorization: `Bearer ${LOCAL_DEFAULT_TOKEN}` } });
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`);
      return response.json();
    };
    const range = (ms: number) =>
      `site=${SITE}&from=${new Date(end - ms).toISOString()}&to=${new Date(end).toISOString()}`;
    const raw = (rangeMs: number) => flux`from(bucket: ${fluxString(bucket)})
  |> range(start: ${fluxDateTime(new Date(end - rangeMs).toISOString())}, stop: ${fluxDateTime(new Date(end).toISOString())})
  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)} and r.site == ${fluxString(SITE)})`;
    const fluxRows = (query: ReturnType<typeof flux>) => queryApi.collectRows(query);

    // A fast wrong answer is no result: the overview must count every event people sent.
    const overview = (await api(`/api/v2/overview?${range(SPAN)}`)) as { metrics: { events: { value: number } } };
    const bots = (await api(`/api/v2/overview?${range(SPAN)}&bots=only`)) as { metrics: { events: { value: number } } };
    if (overview.metrics.events.value + bots.metrics.events.value !== EVENTS)
      throw new Error(
        `rollups count ${overview.metrics.events.value} + ${bots.metrics.events.value}, expected ${EVENTS}`,
      );

    const figures: Figure[] = [];
    const measure = async (metric: string, path: string, baselineLabel: string, baseline: () => Promise<unknown>) => {
      // The first answer finds none of its buckets kept by the dashboard (rollup-cache.ts); the timed runs do.
      const firstMs = await once(() => api(path));
      figures.push({ metric: `${metric}, first answer (nothing kept)`, unit: 'ms', value: firstMs });
      const samples = await time(() => api(path));
      const base = await time(baseline, BASELINE_MIN_RUNS);
      process.stdout.write(`  ${metric}: ${samples.length} runs, baseline ${base.length}\n`);
      for (const p of [50, 95])
        figures.push({
          metric: `${metric} p${p}`,
          unit: 'ms',
          value: percentile(samples, p),
          baseline: percentile(base, p),
          baselineLabel,
        });
    };
    await measure(
      'overview 30 d with previous period',
      `/api/v2/overview?${range(SPAN)}`,
      'Flux on raw: events and distinct visitors, 30 d',
      () =>
        Promise.all([
          fluxRows(flux`${raw(SPAN)} |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)}) |> count()`),
          fluxRows(
            flux`${raw(SPAN)} |> filter(fn: (r) => r._field == ${fluxString(FIELD.anonymousId)}) |> group() |> distinct() |> count()`,
          ),
        ]),
    );
    await measure(
      'timeseries 30 d (days, Europe/Paris)',
      `/api/v2/timeseries?${range(SPAN)}&metric=events&timezone=Europe/Paris`,
      'Flux on raw: events per UTC day, 30 d',
      () =>
        fluxRows(
          flux`${raw(SPAN)} |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)}) |> group() |> aggregateWindow(every: 1d, fn: count)`,
        ),
    );
    await measure(
      'timeseries 12 months (months)',
      `/api/v2/timeseries?${range(365 * DAY)}&metric=visitors`,
      'Flux on raw: events per UTC day, 30 d',
      () =>
        fluxRows(
          flux`${raw(SPAN)} |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)}) |> group() |> aggregateWindow(every: 1d, fn: count)`,
        ),
    );
    await measure(
      'breakdown path by visitors 30 d',
      `/api/v2/breakdown?${range(SPAN)}&dimension=path&metric=visitors`,
      'Flux on raw: events per path, 30 d',
      () =>
        fluxRows(
          flux`${raw(SPAN)} |> filter(fn: (r) => r._field == ${fluxString(FIELD.pagePath)}) |> duplicate(column: "_value", as: "key") |> group(columns: ["key"]) |> count() |> group() |> sort(columns: ["_value"], desc: true) |> limit(n: 10)`,
        ),
    );
    // The completeness band of a chart, from the sequence rollups, against the raw scan it replaces; both must give
    // the same figures. Over 30 days up to 2 M events; beyond, the scan of a month outlasts any query timeout
    // (minutes), so over the last 7 days.
    const bandSpan = EVENTS > 2_000_000 ? 7 * DAY : SPAN;
    const bandDays = bandSpan / DAY;
    const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);
    // Whole days from an hour that is not midnight touch one date more.
    const days = Array.from({ length: bandDays + 1 }, (_, i) => dayOf(end - bandSpan + i * DAY));
    const scanCompleteness = () =>
      app.reader.completenessByBucket({ from: end - bandSpan, to: end }, SITE, days, dayOf);
    const completenessPath = `/api/v2/completeness?${range(bandSpan)}&timezone=UTC`;
    const fromRollups = (await api(completenessPath)) as BucketCompletenessResponse;
    const sum = (buckets: readonly BucketCompleteness[]) =>
      buckets.reduce((total, b) => [total[0]! + b.received, total[1]! + b.expected], [0, 0]);
    const [rolledUp, scanned] = [sum(fromRollups.buckets), sum(await scanCompleteness())];
    const all = bandSpan === SPAN ? EVENTS : rolledUp[0];
    if (rolledUp.join() !== scanned.join() || rolledUp[0] !== all || !all)
      throw new Error(`completeness: rollups ${rolledUp.join('/')}, raw scan ${scanned.join('/')}, ${EVENTS} events`);
    await measure(
      `completeness per day ${bandDays} d (sequence rollups)`,
      completenessPath,
      `Flux on raw: sequence numbers per session, ${bandDays} d (the scan it replaces)`,
      scanCompleteness,
    );
    const funnelSteps = FUNNEL.slice(0, 3)
      .map((path) => `step=${encodeURIComponent(`pageview:${path}`)}`)
      .join('&');
    // From the journey rollups, against the raw events they replace: every seeded event is on a desktop, so the
    // filter changes no answer but sends the funnel to the raw events. Both must give the same answer.
    const funnelPath = `/api/v2/funnel?${range(7 * DAY)}&${funnelSteps}&window=1h`;
    const rawFunnel = () => api(`${funnelPath}&filter=device:desktop`);
    const [fromJourneys, fromRaw] = [await api(funnelPath), await rawFunnel()] as { steps: unknown[] }[];
    if (JSON.stringify(fromJourneys!.steps) !== JSON.stringify(fromRaw!.steps))
      throw new Error(`funnel: journeys ${JSON.stringify(fromJourneys)}, raw events ${JSON.stringify(fromRaw)}`);
    await measure(
      'funnel 3 steps 7 d (journey rollups)',
      funnelPath,
      'the same funnel from the raw events (what the journeys replace)',
      rawFunnel,
    );
    // A view that does not render is reported with what it was waiting for, and the other figures still printed.
    const views = [
      ['Analyze page 30 d', `${baseUrl}/?site=${SITE}&range=30d&tz=UTC`, analyzeRendered],
      // The data's last hour, not the view's default (the hour before now): the bench may run past the data's end,
      // and an hour without events renders no table.
      [
        'Events view (raw, last hour of the data)',
        `${baseUrl}/events?site=${SITE}&from=${new Date(end - HOUR).toISOString()}&to=${new Date(end).toISOString()}`,
        eventsRendered,
      ],
    ] as const;
    for (const [name, url, rendered] of views) {
      const render = () => renderView(url, rendered);
      const result = await (CPU_PROFILE && name === views[0][0] ? profiled(CPU_PROFILE, render) : render()).catch(
        (error: Error) => {
          process.stdout.write(`  ${name}: ${error.message}\n`);
          return undefined;
        },
      );
      if (!result) continue;
      process.stdout.write(`  ${name} rendered: ${result.samples.length} runs\n`);
      figures.push(
        { metric: `${name}, every panel rendered, first (nothing kept)`, unit: 'ms', value: result.first },
        { metric: `${name}, every panel rendered, p50`, unit: 'ms', value: percentile(result.samples, 50) },
        { metric: `${name}, every panel rendered, p95`, unit: 'ms', value: percentile(result.samples, 95) },
      );
    }
    figures.push(
      { metric: 'UI initial JavaScript (gzip)', unit: 'KiB', value: initialScripts(uiDir).gzipBytes / 1024 },
      { metric: 'rollup of one hour bucket p50', unit: 'ms', value: percentile(bucketMs.hour, 50) },
      { metric: 'rollup of one hour bucket p99', unit: 'ms', value: percentile(bucketMs.hour, 99) },
      { metric: 'rollup of one day bucket (merging 24 hours) p50', unit: 'ms', value: percentile(bucketMs.day, 50) },
      { metric: 'rollup of one day bucket (merging 24 hours) p99', unit: 'ms', value: percentile(bucketMs.day, 99) },
      { metric: 'rollup of one month bucket (merging its days)', unit: 'ms', value: Math.max(...bucketMs.month) },
      { metric: 'rollup throughput', unit: 'events/s', value: EVENTS / rollupSeconds },
      { metric: 'rollup worker heap growth, peak', unit: 'MiB', value: (peakHeap - heapBefore) / 2 ** 20 },
      { metric: 'rollup worker RSS, peak (process incl. dashboard)', unit: 'MiB', value: peakRss / 2 ** 20 },
    );
    printResult({
      name: 'analytics',
      description: `read API v2 over rollups of ${EVENTS} events over 30 days (${VISITORS} visitors, ≈${Math.round(eventsPerBucket)} events per hour bucket; seeded in ${seedSeconds.toFixed(0)} s, rolled up in ${rollupSeconds.toFixed(0)} s), up to ${RUNS} runs each, in-process via app.inject`,
      figures,
    });
  } finally {
    await app.close();
  }
} finally {
  await influx.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
