// The rollup worker's consumer group: reads the touched (site, hour) buckets
// the consumer announces, recomputes each hour from the raw events, then the
// days and months they fall in, and commits the offsets only after those
// rollups are written. Announcements are keyed by (site, month), so everything
// one month's buckets are merged from is recomputed serially on one partition.
// The latest hours' tallies are kept (within `keptBytes`), so an hour that keeps
// receiving events is brought up to date by reading only the spans announced
// since, not the whole hour again. Memory: the kept tallies, one Kafka batch of
// small messages and one bucket's aggregate at a time.
import { hourOf, RETENTION, type TimeSpan, type TouchedHour } from '@eventline/contract';
import { backoffDelay, SERVICE_BACKOFF } from '@eventline/kit/backoff';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { RollupConfig } from './config.ts';
import type { InfluxQL } from './influxql.ts';
import { KeptHours } from './kept-hours.ts';
import { planBuckets, recomputeBucket, type RollupBucket } from './recompute.ts';

/** One bucket recomputed: for lag figures and tests. */
export interface RolledBucket extends RollupBucket {
  /** Events rolled up into the bucket (people and bots). */
  events: number;
  /** From the oldest announcement of the batch to the bucket's rollups being written, ms. */
  lagMs: number;
}

export interface RollupWorker {
  start(): Promise<void>;
  /** Finishes the bucket in flight and leaves the group. */
  stop(): Promise<void>;
  readonly joined: boolean;
}

export interface RollupWorkerOptions {
  kafka: Kafka;
  influxql: InfluxQL;
  config: Pick<RollupConfig, 'kafka' | 'influx' | 'retention' | 'maxValues' | 'keptMb'>;
  logger: Logger;
  onBucket?: (bucket: RolledBucket) => void;
}

/** The span when it is one of event times within `hour`; else undefined (the whole hour is read). */
function spanWithin(span: unknown, hour: number): TimeSpan | undefined {
  const { first, last } = (span ?? {}) as Partial<TimeSpan>;
  const inHour = (ms: unknown): ms is number => Number.isSafeInteger(ms) && hourOf(Number(ms)) === hour;
  return inHour(first) && inHour(last) && first <= last ? { first, last } : undefined;
}

function parse(value: Buffer | null): TouchedHour | undefined {
  try {
    const touched = JSON.parse(String(value)) as Partial<TouchedHour>;
    const { site, hour } = touched;
    if (typeof site !== 'string' || !Number.isSafeInteger(hour) || hourOf(hour!) !== hour) return undefined;
    const span = spanWithin(touched.span, hour!);
    return span ? { site, hour: hour!, span } : { site, hour: hour! };
  } catch {
    return undefined;
  }
}

export function createRollupWorker(options: RollupWorkerOptions): RollupWorker {
  const { config } = options;
  const logger = options.logger.child({ module: 'rollup-worker' });
  const consumer: Consumer = options.kafka.consumer({ groupId: config.kafka.groupId });
  const failures = new Map<number, number>();
  const kept = new KeptHours(config.keptMb * 2 ** 20);
  let joined = false;
  /** Joins of the group so far: partitions may have moved at each. */
  let joins = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    joins++;
    // An hour kept here may have been counted further by another worker meanwhile.
    kept.clear();
  });

  async function eachBatch({
    batch,
    heartbeat,
    resolveOffset,
    commitOffsetsIfNecessary,
    pause,
    isRunning,
  }: EachBatchPayload) {
    const touched: TouchedHour[] = [];
    for (const message of batch.messages) {
      const hour = parse(message.value);
      if (hour) touched.push(hour);
      else
        logger.warn(
          { partition: batch.partition, offset: message.offset },
          'skipping a malformed touched-hour message',
        );
    }
    const since = Math.min(...batch.messages.map((message) => Number(message.timestamp)));
    const recompute = {
      influxql: options.influxql,
      rawPolicy: config.influx.rawPolicy,
      rollupPolicy: RETENTION.rollupPolicy,
      maxValues: config.maxValues,
    };
    let changed = false;
    const generation = joins;
    for (const bucket of planBuckets(touched)) {
      if (!isRunning()) {
        // Left before its days and months: when the batch comes again, its hours must count as changed.
        kept.clear();
        return;
      }
      // No hour of the batch changed: its days and months were merged after the hours were last written.
      if (bucket.grain !== 'hour' && !changed) continue;
      try {
        const result = await recomputeBucket(recompute, bucket, kept);
        if (result.points > 0) changed = true;
        // A batch of an earlier membership that ran on past a join keeps nothing of what it counted.
        if (joins !== generation) kept.clear();
        options.onBucket?.({
          site: bucket.site,
          grain: bucket.grain,
          start: bucket.start,
          events: result.events,
          lagMs: Date.now() - since,
        });
      } catch (error) {
        // What is kept may be ahead of what was written: read each hour whole again.
        kept.clear();
        const attempt = (failures.get(batch.partition) ?? 0) + 1;
        failures.set(batch.partition, attempt);
        const delayMs = backoffDelay(SERVICE_BACKOFF, attempt);
        logger.warn(
          { err: error, partition: batch.partition, ...bucket, retryInMs: delayMs },
          'could not recompute a bucket; partition paused',
        );
        // Nothing of this batch is committed: the buckets are recomputed again after the pause.
        const resume = pause();
        setTimeout(resume, delayMs).unref();
        return;
      }
      await heartbeat();
    }
    failures.delete(batch.partition);
    const last = batch.messages[batch.messages.length - 1];
    if (last) {
      resolveOffset(last.offset);
      await commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }],
          },
        ],
      });
    }
  }

  return {
    get joined() {
      return joined;
    },
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: config.kafka.touchedHoursTopic, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
    },
    async stop() {
      await consumer.disconnect();
      joined = false;
    },
  };
}
