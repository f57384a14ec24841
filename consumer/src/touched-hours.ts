// Tells the rollup worker which (site, hour) buckets a stored chunk touched,
// and the span of event times it stored in each (the worker re-reads only that
// span of an hour it keeps). Published after the chunk's points are durable and
// before its offsets are committed, so every stored event is announced at least
// once, inside its announcement's span: a crash in between redelivers the chunk,
// which rewrites the same points and announces the same spans again (rolling up
// an event twice counts it once).
import { hourOf, touchedHourId, touchedHourKey, type EnrichedEvent, type TouchedHour } from '@eventline/contract';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ConsumerError } from './errors.ts';

/** The distinct buckets of a chunk's events, each with the span of their event times in it. */
export function touchedHours(events: Iterable<Pick<EnrichedEvent, 'site' | 'eventTime'>>): TouchedHour[] {
  const hours = new Map<string, Required<TouchedHour>>();
  for (const { site, eventTime } of events) {
    const id = touchedHourId({ site, hour: hourOf(eventTime) });
    const touched = hours.get(id);
    if (!touched) hours.set(id, { site, hour: hourOf(eventTime), span: { first: eventTime, last: eventTime } });
    else {
      touched.span.first = Math.min(touched.span.first, eventTime);
      touched.span.last = Math.max(touched.span.last, eventTime);
    }
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
