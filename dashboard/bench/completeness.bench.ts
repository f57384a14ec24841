// Completeness over a private InfluxDB holding BENCH_EVENTS events (sessions of
// BENCH_SESSION_SIZE events over 24 h, a few with gaps and duplicates): the
// route as built (rows of site/session/seq/id streamed to the server, tallied
// one session at a time) against doing the aggregation in Flux (per session:
// unique ids, then reduce to count/min/max; plus a count of every stored id
// for duplicates), which yields the same totals but no gap ranges, and against
// the same rows without group(), tallied with every session held in memory.
// Prints a table and a BENCH_RESULT line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIELD, MEASUREMENT, TAG } from '@eventline/contract';
import { createBucket, freePort, startInflux } from '@eventline/infra';
import { percentile, printResult } from '@eventline/testkit/bench-report';
import { flux, fluxDateTime, fluxString, InfluxDB } from '@influxdata/influxdb-client';
import { buildApp } from '../src/server/app.ts';
import { loadConfig, LOCAL_DEFAULT_TOKEN } from '../src/server/config.ts';
import { clickAt, seedEvents, type SeedEvent } from '../test/seed.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const SESSION_SIZE = Number(process.env['BENCH_SESSION_SIZE'] ?? 50);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const DAY = 86_400_000;
const SESSIONS = Math.ceil(EVENTS / SESSION_SIZE);

const dataDir = mkdtempSync(join(tmpdir(), 'dashboard-completeness-bench-'));
const influx = await startInflux({ httpPort: await freePort(), rpcPort: await freePort(), dataDir });
try {
  const bucket = await createBucket(influx.url, 'bench', 'events');
  const now = Date.now();
  const seedStart = performance.now();
  let stored = 0;
  let dropped = 0;
  let duplicated = 0;
  for (let offset = 0; offset < EVENTS; offset += 10_000) {
    const chunk: SeedEvent[] = [];
    for (let i = offset; i < Math.min(EVENTS, offset + 10_000); i++) {
      // Sessions run side by side, so their events interleave in time as on a real site.
      const session = i % SESSIONS;
      const seq = Math.floor(i / SESSIONS);
      // Every 10th session loses its 7th event; every 25th stores its 3rd twice.
      if (session % 10 === 0 && seq === 7) {
        dropped++;
        continue;
      }
      const event = clickAt(now - DAY + Math.floor((i / EVENTS) * DAY), {
        sessionId: `s_${session}`,
        seq,
        id: `e_${i}`,
      });
      chunk.push({ event, site: session % 2 ? 'shop' : 'blog' });
      stored++;
      if (session % 25 === 0 && seq === 3) {
        chunk.push({ event, site: session % 2 ? 'shop' : 'blog', eventTime: event.timestamp + 1 });
        duplicated++;
      }
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
  const range = `from=${new Date(now - DAY).toISOString()}&to=${new Date(now).toISOString()}`;
  const route = async () => {
    const response = await app.inject({
      url: `/api/completeness?${range}`,
      headers: { authorization: `Bearer ${LOCAL_DEFAULT_TOKEN}` },
    });
    if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`);
    return response.json() as {
      total: { received: number; expected: number; missing: number; duplicates: number; sessions: number };
    };
  };

  const queryApi = new InfluxDB({ url: influx.url, token: '', timeout: 120_000 }).getQueryApi('');
  const source = flux`from(bucket: ${fluxString(bucket)})
  |> range(start: ${fluxDateTime(new Date(now - DAY).toISOString())}, stop: ${fluxDateTime(new Date(now).toISOString())})
  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)})`;
  const inFlux = async () => {
    const [sessions, ids] = await Promise.all([
      queryApi.collectRows<Record<string, number>>(flux`${source}
  |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)} or r._field == ${fluxString(FIELD.seq)} or r._field == ${fluxString(FIELD.sessionId)})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group(columns: [${fluxString(TAG.site)}, ${fluxString(FIELD.sessionId)}])
  |> unique(column: ${fluxString(FIELD.id)})
  |> reduce(identity: {received: 0, lo: 9223372036854775807, hi: -1}, fn: (r, accumulator) => ({
      received: accumulator.received + 1,
      lo: if r[${fluxString(FIELD.seq)}] < accumulator.lo then r[${fluxString(FIELD.seq)}] else accumulator.lo,
      hi: if r[${fluxString(FIELD.seq)}] > accumulator.hi then r[${fluxString(FIELD.seq)}] else accumulator.hi}))
  |> group()`),
      queryApi.collectRows<Record<string, number>>(flux`${source}
  |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)})
  |> group()
  |> count()`),
    ]);
    const received = sessions.reduce((sum, row) => sum + Number(row['received']), 0);
    const expected = sessions.reduce((sum, row) => sum + Number(row['hi']) - Number(row['lo']) + 1, 0);
    return {
      sessions: sessions.length,
      received,
      expected,
      missing: expected - received,
      duplicates: Number(ids[0]?.['_value']) - received,
    };
  };

  // Without group() Flux streams rows series by series in time order, so the server must hold every session at once.
  const ungrouped = async () => {
    const sessions = new Map<string, { seqs: Set<number>; ids: Set<string>; rows: number }>();
    for await (const { values, tableMeta } of queryApi.iterateRows(flux`${source}
  |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)} or r._field == ${fluxString(FIELD.seq)} or r._field == ${fluxString(FIELD.sessionId)})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> keep(columns: [${fluxString(TAG.site)}, ${fluxString(FIELD.sessionId)}, ${fluxString(FIELD.seq)}, ${fluxString(FIELD.id)}])`)) {
      const key = `${String(tableMeta.get(values, TAG.site))}\u0000${String(tableMeta.get(values, FIELD.sessionId))}`;
      const session = sessions.get(key) ?? { seqs: new Set(), ids: new Set(), rows: 0 };
      sessions.set(key, session);
      session.seqs.add(Number(tableMeta.get(values, FIELD.seq)));
      session.ids.add(String(tableMeta.get(values, FIELD.id)));
      session.rows++;
    }
    return sessions.size;
  };

  // Round-robin, so load from other work on the machine falls on every variant alike.
  const timeAll = async (variants: (() => Promise<unknown>)[]): Promise<number[]> => {
    for (const run of variants) await run();
    const samples = variants.map((): number[] => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [v, run] of variants.entries()) {
        const start = performance.now();
        await run();
        samples[v]!.push(performance.now() - start);
      }
    }
    return samples.map((s) => percentile(s, 50));
  };

  const answer = (await route()).total;
  const alternative = await inFlux();
  const want = {
    sessions: SESSIONS,
    received: stored,
    expected: stored + dropped,
    missing: dropped,
    duplicates: duplicated,
  };
  for (const [label, got] of [
    ['route', answer],
    ['flux', alternative],
  ] as const) {
    for (const key of Object.keys(want) as (keyof typeof want)[]) {
      if (got[key] !== want[key]) throw new Error(`${label}: ${key} is ${got[key]}, seeded ${want[key]}`);
    }
  }
  const [streamed, aggregated, held] = (await timeAll([route, inFlux, ungrouped])) as [number, number, number];
  await app.close();

  printResult({
    name: 'dashboard-completeness',
    description: `median latency over ${RUNS} runs, ${EVENTS} events in ${SESSIONS} sessions over 24 h (seeded in ${seedSeconds.toFixed(1)} s; ${dropped} missing, ${duplicated} duplicates, both found by each), InfluxDB 1.8 on this machine`,
    figures: [
      {
        metric: 'completeness',
        unit: 'ms',
        value: streamed,
        baseline: aggregated,
        baselineLabel: 'aggregation in Flux',
      },
      {
        metric: 'completeness (bounded memory)',
        unit: 'ms',
        value: streamed,
        baseline: held,
        baselineLabel: 'ungrouped rows, every session held in memory',
      },
    ],
  });
} finally {
  await influx.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
