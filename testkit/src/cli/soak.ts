// `npm run soak [-- --minutes 30 --rate N --brokers 3]`: the whole pipeline at half
// its measured capacity for 30 minutes. Prints RSS and open file descriptors of
// every process after a warm-up and at the end (growth must stay under 10 %),
// consumer lag p99 (under 1 s of traffic), and stored = acknowledged. Not part of
// `npm test`; figures go to bench-results/soak.json and the README.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile } from '../bench-report.ts';
import { measureCapacity } from '../load/capacity.ts';
import { runLoad } from '../load/load-generator.ts';
import {
  consumerCounters,
  consumerLag,
  readCompleteness,
  storedCounts,
  storedPoints,
  waitUntilSettled,
} from '../load/oracle.ts';
import { sampleProcesses, type ProcessStats } from '../load/process-stats.ts';
import { prepareStackUnderTest, startStackUnderTest } from '../load/stack-under-test.ts';
import { consoleProgress } from '@eventline/infra';
import { repoRoot } from '@eventline/infra/services';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string' },
    brokers: { type: 'string', default: '1' },
    'warmup-minutes': { type: 'string', default: '2' },
  },
});
const minutes = Number(values.minutes);
const warmupMs = Number(values['warmup-minutes']) * 60_000;
const say = (line: string) => process.stdout.write(`[soak] ${line}\n`);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

await prepareStackUnderTest(consoleProgress('soak'));
const stack = await startStackUnderTest({ dashboard: true, kafkaBrokers: Number(values.brokers) });
try {
  const probe = {
    lag: () => consumerLag(stack.brokers, stack.topic, stack.groupId),
    stored: () => storedPoints(stack.influxUrl, stack.bucket),
  };
  let rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate === undefined) {
    const capacity = await measureCapacity(stack, 20);
    rate = Math.round(capacity.eventsPerSecond / 2);
    say(`capacity ${Math.round(capacity.eventsPerSecond)} events/s over 20 s; soaking at half: ${rate} events/s`);
    // The consumer is slower than ingest: let it store the probe's events first, so they are not counted as the
    // soak's and the soak starts from an empty topic.
    await waitUntilSettled(probe, { expected: capacity.acknowledged, settleMs: 2_000, timeoutMs: 300_000 });
  }
  const storedBefore = (await storedCounts(stack.influxUrl, stack.bucket)).points;
  const startedAt = new Date();
  const processes = sampleProcesses(() => stack.processes(), 10_000);
  const lags: number[] = [];
  const lagTimer = setInterval(() => {
    consumerLag(stack.brokers, stack.topic, stack.groupId).then(
      (lag) => lags.push(lag),
      () => {},
    );
  }, 1_000);
  const durationMs = minutes * 60_000;
  const report = await runLoad({
    ingestUrl: stack.ingestUrls,
    writeKey: stack.writeKey,
    origin: stack.origin,
    totalEvents: Math.round((rate * durationMs) / 1000),
    eventsPerSecond: rate,
    sessions: 2_000,
    concurrency: 64,
    keepAcknowledged: false,
    deadlineMs: durationMs + 300_000,
    path: '/soak',
  });
  clearInterval(lagTimer);
  processes.stop();
  const expected = storedBefore + report.acknowledgedCount;
  const settled = await waitUntilSettled(probe, { expected, settleMs: 5_000, timeoutMs: 300_000 });
  const stored = (await storedCounts(stack.influxUrl, stack.bucket)).points - storedBefore;
  // Where a shortfall went: never written (dead letters, or not consumed), or written and then overwritten in storage.
  const counters = await consumerCounters(stack.consumerUrls).catch((error: Error) => error);
  const dashboard = stack.dashboard;
  // A second oracle, not the verdict: over 30 minutes of events its raw scan can pass the dashboard's query timeout.
  const completeness = dashboard
    ? await readCompleteness(dashboard, { site: stack.site, from: startedAt }).catch((error: Error) => error)
    : undefined;
  // Lag is read in Kafka messages; at the soak's steady rate of messages, lag / rate is how far behind in seconds.
  const lagP99 = percentile(lags, 99);
  const messagesPerSecond = ((report.statuses.get(200) ?? 0) / report.durationMs) * 1000;
  const lagP99Seconds = lagP99 / messagesPerSecond;
  const rows = [...processes.samples].map(([name, samples]) => {
    const warm = samples.find((_, i) => i * 10_000 >= warmupMs) ?? (samples[0] as ProcessStats);
    const end = samples[samples.length - 1] as ProcessStats;
    return {
      name,
      rssStartMiB: Number(mib(warm.rssBytes)),
      rssEndMiB: Number(mib(end.rssBytes)),
      rssGrowth: end.rssBytes / warm.rssBytes - 1,
      anonymousStartMiB: Number(mib(warm.anonymousBytes)),
      anonymousEndMiB: Number(mib(end.anonymousBytes)),
      anonymousGrowth: end.anonymousBytes / warm.anonymousBytes - 1,
      fdsStart: warm.openFds,
      fdsEnd: end.openFds,
      fdGrowth: end.openFds / warm.openFds - 1,
    };
  });
  for (const row of rows) {
    say(
      `${row.name.padEnd(11)} RSS ${row.rssStartMiB} → ${row.rssEndMiB} MiB (${(row.rssGrowth * 100).toFixed(1)} %), ` +
        `of it its own memory ${row.anonymousStartMiB} → ${row.anonymousEndMiB} MiB ` +
        `(${(row.anonymousGrowth * 100).toFixed(1)} %), ` +
        `fds ${row.fdsStart} → ${row.fdsEnd} (${(row.fdGrowth * 100).toFixed(1)} %)`,
    );
  }
  say(
    `${minutes} min at ${rate} events/s: sent ${report.sent}, acknowledged ${report.acknowledgedCount}, stored ${stored}, ` +
      `consumer lag p99 ${lagP99} messages ≈ ${lagP99Seconds.toFixed(2)} s of traffic (max ${Math.max(...lags)}), ` +
      `settled ${settled.settled}` +
      (counters instanceof Error
        ? `, consumer metrics not read (${counters.message})`
        : `, consumer wrote ${counters.pointsWritten} points in all (the capacity probe's included), ` +
          `dead-lettered ${counters.deadLetters}`) +
      (completeness instanceof Error
        ? `, completeness API not answered (${completeness.message})`
        : completeness
          ? `, completeness API: ${completeness.received} of ${completeness.expected}, ${completeness.duplicates} duplicates`
          : ''),
  );
  const outDir = join(repoRoot, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    minutes,
    rate,
    report: { ...report, statuses: [...report.statuses] },
    stored,
    storedBefore,
    counters: counters instanceof Error ? null : counters,
    lagP99,
    lagP99Seconds,
    processes: rows,
  };
  writeFileSync(join(outDir, 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
  // A leak grows what a process holds; the pages of its mapped data files grow with the data stored (ProcessStats).
  const grew = rows.filter((row) => row.anonymousGrowth > 0.1 || row.fdGrowth > 0.1).map((row) => row.name);
  const ok = stored === report.acknowledgedCount && settled.settled && grew.length === 0 && lagP99Seconds < 1;
  if (!ok) {
    say(
      `FAILED: ${grew.length > 0 ? `grew over 10 %: ${grew.join(', ')}; ` : ''}stored ${stored} of ` +
        `${report.acknowledgedCount}, lag p99 ${lagP99Seconds.toFixed(2)} s`,
    );
    process.exitCode = 1;
  }
} finally {
  await stack.stop();
}
