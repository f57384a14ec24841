// Tells the rollup worker which (site, hour) buckets a stored chunk touched.
// Published after the chunk's points are durable and before its offsets are
// committed, so every stored event's hour is announced at least once: a crash
// in between redelivers the chunk, which rewrites the same points and announces
// the same hours again (recomputing a bucket is idempotent).
import { hourOf, touchedHourId, touchedHourKey, type EnrichedEvent, type TouchedHour } from '@eventline/contract';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ConsumerError } from './errors.ts';

/** The distinct buckets of a chunk's events. */
export function touchedHours(events: Iterable<Pick<EnrichedEvent, 'site' | 'eventTime'>>): TouchedHour[] {
  const hours = new Map<string, TouchedHour>();
  for (const { site, eventTime } of events) {
    const hour = { site, hour: hourOf(eventTime) };
    hours.set(touchedHourId(hour), hour);
  }
  return [...hours.values()];
}

export interface TouchedHoursPublisher {
  /** Resolves once the broker acknowledged every bucket; throws a retriable ConsumerError otherwise. */
  publish(hours: readonly TouchedHour[]): Promise<void>;
}

export function createTouchedHoursPublisher(deps: {
  producer: Producer;
  topic: string;
  logger: Logger;
}): TouchedHoursPublisher {
  const logger = deps.logger.child({ module: 'touched-hours' });
  return {
    async publish(hours) {
      if (hours.length === 0) return;
      try {
        await deps.producer.send({
          topic: deps.topic,
          acks: -1,
          messages: hours.map((hour) => ({ key: touchedHourKey(hour), value: JSON.stringify(hour) })),
        });
      } catch (error) {
        logger.warn({ err: error, hours: hours.length }, 'could not announce touched hours');
        throw new ConsumerError('CONSUMER_TOUCHED_HOURS_UNAVAILABLE', (error as Error).message, { cause: error });
      }
    },
  };
}
