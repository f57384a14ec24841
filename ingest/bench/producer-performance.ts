// The ingest benchmark's ceiling: Kafka's own Java producer
// (org.apache.kafka.tools.ProducerPerformance from the kafka-tools jar, fetched
// from Maven Central into the cache like the broker's jars) sending the same
// payloads to the same broker with the same producer settings.
import { execFile } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { infraConfig } from '@eventline/infra';

const run = promisify(execFile);
const pomFile = fileURLToPath(new URL('./producer-performance/pom.xml', import.meta.url));
const libsDir = join(infraConfig.kafkaDir, 'tools-libs');
const completeMarker = join(libsDir, '.complete');

/** Fetches kafka-tools and its dependencies with Maven; a no-op when they are there. */
export async function provisionProducerPerformance(): Promise<void> {
  if (existsSync(completeMarker)) return;
  const staging = `${libsDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  await run(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  rmSync(libsDir, { recursive: true, force: true });
  renameSync(staging, libsDir);
  writeFileSync(completeMarker, `${new Date().toISOString()}\n`);
}

export interface ProducerPerformanceOptions {
  brokers: readonly string[];
  topic: string;
  /** The record values, one per line; each record is one of them at random. */
  payloads: readonly string[];
  records: number;
  /** Producer settings (`key=value`), e.g. acks=all. */
  settings: Record<string, string>;
  workDir: string;
}

export interface ProducerPerformanceResult {
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** `N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P50 ms 50th, P95 ms 95th, P99 ms 99th, …` */
const SUMMARY = /records sent, ([\d.]+) records\/sec .*?, ([\d.]+) ms 50th, [\d.]+ ms 95th, ([\d.]+) ms 99th/;

export async function runProducerPerformance(options: ProducerPerformanceOptions): Promise<ProducerPerformanceResult> {
  const payloadFile = join(options.workDir, 'payloads.txt');
  writeFileSync(payloadFile, options.payloads.join('\n'));
  const settings = { 'bootstrap.servers': options.brokers.join(','), ...options.settings };
  const { stdout } = await run(
    'java',
    [
      '-Xmx512m',
      '-cp',
      join(libsDir, '*'),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      options.topic,
      '--num-records',
      String(options.records),
      '--throughput',
      '-1',
      '--payload-file',
      payloadFile,
      '--producer-props',
      ...Object.entries(settings).map(([key, value]) => `${key}=${value}`),
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
  );
  const summary = stdout
    .trim()
    .split('\n')
    .reverse()
    .map((line) => SUMMARY.exec(line))
    .find((match) => match !== null);
  if (!summary) throw new Error(`ProducerPerformance printed no summary:\n${stdout.slice(-2000)}`);
  return { recordsPerSecond: Number(summary[1]), p50Ms: Number(summary[2]), p99Ms: Number(summary[3]) };
}
