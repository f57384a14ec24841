// `npm run overload [-- --seconds 60 --factor 2]`: offers the pipeline twice the
// load it was measured to acknowledge (same run, same machine) for 60 s. Ingest
// must shed with 429/503 and Retry-After instead of queueing without bound: the
// p99 latency of accepted requests stays under 200 ms, ingest and consumer memory
// stay bounded (peak RSS printed), no process crashes, and once the load stops,
// everything the clients retried is stored. Not part of `npm test`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile } from '../bench-report.ts';
import { measureCapacity } from '../load/capacity.ts';
import { runLoad, type LoadResponse } from '../load/load-generator.ts';
import { consumerLag, storedCounts, storedPoints, waitUntilSettled } from '../load/oracle.ts';
import { processStats, renice, sampleProcesses } from '../load/process-stats.ts';
import { prepareStackUnderTest, startStackUnderTest } from '../load/stack-under-test.ts';
import { consoleProgress } from '@eventline/infra';
import { repoRoot } from '@eventline/infra/services';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    factor: { type: 'string', default: '2' },
    brokers: { type: 'string', default: '1' },
    // Niceness of every process of the pipeline. Its clients are other machines in any deployment: here they share
    // the cores, and with the pipeline at 0 a client waiting for a core (not the pipeline) made most of the latency
    // it measured. 5 gives the load generator the cores it needs first; 0 runs everything alike.
    'pipeline-nice': { type: 'string', default: '5' },
    // Niceness of the consumer and InfluxDB, at least the pipeline's. On one shared host, storage yielding the cores
    // to ingest and Kafka is what a deployment would configure: Kafka holds what storage has not written yet.
    'storage-nice': { type: 'string', default: '15' },
  },
});
const seconds = Number(values.seconds);
const factor = Number(values.factor);
const say = (line: string) => process.stdout.write(`[overload] ${line}\n`);
/** Accepted requests must be answered within this at p99 while ingest sheds the rest. */
const P99_BOUND_MS = 200;

await prepareStackUnderTest(consoleProgress('overload'));
const stack = await startStackUnderTest({ dashboard: false, kafkaBrokers: Number(values.brokers) });
try {
  const pipelineNice = Number(values['pipeline-nice']);
  const storageNice = Math.max(pipelineNice, Number(values['storage-nice']));
  for (const { name, pid } of stack.processes())
    renice(pid, name.startsWith('consumer') || name === 'influxdb' ? storageNice : pipelineNice);
  say(
    `the pipeline runs at niceness ${pipelineNice}, the consumer and InfluxDB at ${storageNice}, the load generator as started`,
  );
  const capacity = await measureCapacity(stack, 20);
  const offered = Math.round(capacity.eventsPerSecond * factor);
  say(`capacity ${Math.round(capacity.eventsPerSecond)} events/s; offering ${offered} events/s for ${seconds} s`);
  // The machine may be shared: its load says how far the figures are from a quiet run.
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(', ');
  say(`load average at the start: ${load()}`);
  const probe = {
    lag: () => consumerLag(stack.brokers, stack.topic, stack.groupId),
    stored: () => storedPoints(stack.influxUrl, stack.bucket),
  };
  // The consumer is slower than ingest: let it store the probe's events first, so they are not counted
  // as the overload's, and the overload starts from an empty topic.
  await waitUntilSettled(probe, { expected: capacity.acknowledged, settleMs: 2_000, timeoutMs: 300_000 });
  const before = await storedCounts(stack.influxUrl, stack.bucket);
  const processes = sampleProcesses(() => stack.processes(), 1_000);
  /** CPU seconds each process has used so far, by name. */
  const cpuNow = () => new Map(stack.processes().map((p) => [p.name, processStats(p.pid)?.cpuSeconds ?? NaN]));
  const cpuAtStart = cpuNow();
  const responses: LoadResponse[] = [];
  // The load generator shares the machine: its own event-loop delay is part of every latency it measures.
  const generatorDelay = monitorEventLoopDelay({ resolution: 10 });
  const scrapeIngest = () =>
    fetch(`${stack.ingestUrl}/metrics`).then(
      (response) => response.text(),
      () => '',
    );
  const ingestMetricsBefore = await scrapeIngest();
  generatorDelay.enable();
  const generatorCpu = process.cpuUsage();
  const loadStart = Date.now();
  const report = await runLoad({
    ingestUrl: stack.ingestUrls,
    writeKey: stack.writeKey,
    origin: stack.origin,
    totalEvents: offered * seconds,
    eventsPerSecond: offered,
    generateForMs: seconds * 1000,
    sessions: 8_192,
    concurrency: 512,
    keepAcknowledged: false,
    deadlineMs: seconds * 1000 + 300_000,
    path: '/overload',
    onResponse: (response) => responses.push(response),
  });
  processes.stop();
  generatorDelay.disable();
  const { user, system } = process.cpuUsage(generatorCpu);
  // Ingest's own account of the load (503s by cause, produce and request latency), kept beside the figures.
  const ingestMetrics = await scrapeIngest();
  const cpuAfterLoad = cpuNow();
  say(`load average at the end of the load: ${load()}`);
  const settled = await waitUntilSettled(probe, {
    expected: before.points + report.acknowledgedCount,
    settleMs: 5_000,
    timeoutMs: 300_000,
  });
  const after = await storedCounts(stack.influxUrl, stack.bucket);
  const stored = after.points - before.points;
  const cpuAfterSettle = cpuNow();
  const cpuUsed = (name: string, until: Map<string, number>) =>
    (until.get(name) ?? NaN) - (cpuAtStart.get(name) ?? NaN);
  // Events per CPU-second: ingest's while the load ran (shedding included), the consumer's until all was stored.
  const perCore = {
    ingest: Math.round(report.acknowledgedCount / cpuUsed('ingest-0', cpuAfterLoad)),
    consumer: Math.round(stored / cpuUsed('consumer-0', cpuAfterSettle)),
  };
  const during = responses.filter((r) => r.sentAt < loadStart + seconds * 1000);
  const accepted = during.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.answeredAt - r.sentAt);
  const shed = during.filter((r) => r.status === 429 || r.status === 503);
  const shedWithRetryAfter = shed.filter((r) => Number(r.retryAfter) > 0).length;
  const failed = during.filter((r) => r.status === 0 || (r.status >= 500 && r.status !== 503)).length;
  const p99 = percentile(accepted, 99);
  const peaks = [...processes.samples].map(([name, samples]) => ({
    name,
    peakRssMiB: Math.round(Math.max(...samples.map((s) => s.rssBytes)) / 2 ** 20),
  }));
  const crashed = stack.processes().length < [...processes.samples.keys()].length;
  // New events the generator made per second; with fewer than asked for, it (not ingest) set the load.
  const sentPerSecond = Math.round(report.sent / seconds);
  const acceptedPerSecond = Math.round(during.reduce((sum, r) => sum + r.acknowledged, 0) / seconds);
  say(
    `offered ${sentPerSecond} new events/s (${(sentPerSecond / capacity.eventsPerSecond).toFixed(2)} × capacity; ` +
      `${offered} asked for); ingest accepted ${acceptedPerSecond} events/s while it lasted`,
  );
  say(
    `during the load: ${during.length} requests (${(during.length / seconds).toFixed(0)}/s), accepted ${accepted.length} ` +
      `(p50 ${percentile(accepted, 50)} ms, p99 ${p99} ms), shed ${shed.length} (${shedWithRetryAfter} with Retry-After), ` +
      `failed ${failed}`,
  );
  say(
    `load generator's own event-loop delay: p99 ${Math.round(generatorDelay.percentile(99) / 1e6)} ms, ` +
      `max ${Math.round(generatorDelay.max / 1e6)} ms (part of every latency above); its CPU ${((user + system) / 1e6).toFixed(1)} s`,
  );
  say(`peak RSS: ${peaks.map((p) => `${p.name} ${p.peakRssMiB} MiB`).join(', ')}`);
  say(
    `CPU: ingest-0 ${cpuUsed('ingest-0', cpuAfterLoad).toFixed(1)} s over the load (${perCore.ingest} events per CPU-second), ` +
      `consumer-0 ${cpuUsed('consumer-0', cpuAfterSettle).toFixed(1)} s until stored (${perCore.consumer} events per CPU-second)`,
  );
  say(
    `afterwards: acknowledged ${report.acknowledgedCount} of ${report.sent} offered events, stored ${stored}, ` +
      `settled ${settled.settled} (consumer lag ${settled.lag}), ${crashed ? 'a process CRASHED' : 'no process crashed'}; ` +
      `${after.duplicates} events stored at more than one point; ` +
      `InfluxDB's Flux read returned ${after.repeatedRows} points twice (influxdata/influxdb#26690), counted once`,
  );
  const outDir = join(repoRoot, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'overload-ingest-metrics-before.txt'), ingestMetricsBefore);
  writeFileSync(join(outDir, 'overload-ingest-metrics-after.txt'), ingestMetrics);
  writeFileSync(
    join(outDir, 'overload.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        capacityEventsPerSecond: capacity.eventsPerSecond,
        offeredEventsPerSecond: offered,
        sentEventsPerSecond: sentPerSecond,
        acceptedEventsPerSecond: acceptedPerSecond,
        seconds,
        requests: during.length,
        accepted: accepted.length,
        acceptedP50Ms: percentile(accepted, 50),
        acceptedP99Ms: p99,
        shed: shed.length,
        shedWithRetryAfter,
        failed,
        peaks,
        eventsPerCpuSecond: perCore,
        acknowledged: report.acknowledgedCount,
        stored,
      },
      null,
      2,
    )}\n`,
  );
  const problems = [
    sentPerSecond < 0.9 * offered ? `the load generator offered ${sentPerSecond} of ${offered} events/s` : '',
    p99 >= P99_BOUND_MS ? `accepted p99 ${p99} ms ≥ ${P99_BOUND_MS} ms` : '',
    shed.length !== shedWithRetryAfter ? 'a shed request without Retry-After' : '',
    crashed ? 'a process crashed' : '',
    stored !== report.acknowledgedCount ? `stored ${stored} ≠ acknowledged ${report.acknowledgedCount}` : '',
    after.duplicates > 0 ? `${after.duplicates} events stored at more than one point` : '',
    report.acknowledgedCount !== report.sent
      ? `${report.sent - report.acknowledgedCount} events never acknowledged`
      : '',
  ].filter(Boolean);
  if (problems.length > 0) {
    say(`FAILED: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await stack.stop();
}
