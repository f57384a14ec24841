// The one way a validated event becomes a Kafka message and reaches Kafka,
// shared by every route that accepts events (the SDK's batches, the
// Segment-compatible calls): a request's events go out as one record per
// visitor (kafka/records.ts). Resolves only once Kafka has acknowledged all of them.
import type { FastifyInstance } from 'fastify';
import { CONTRACT_VERSION, HEADERS, type StoredEvent } from '@eventline/contract';
import type { EnrichedMessage } from './enrich.ts';
import { IngestError } from './errors.ts';
import { SinkUnavailableError, type SinkMessage } from './kafka/event-sink.ts';
import { BatcherOverloadedError } from './kafka/micro-batcher.ts';
import { toRecords } from './kafka/records.ts';

const CONTRACT_VERSION_HEADER = String(CONTRACT_VERSION);

/** Builds the messages of one site's request; throws INGEST_EVENT_TOO_LARGE for an event above `maxEventBytes`. */
export function createMessageBuilder(options: {
  site: string;
  maxEventBytes: number;
}): (event: StoredEvent, enriched: EnrichedMessage, index: number) => SinkMessage {
  const headers = { [HEADERS.contractVersion]: CONTRACT_VERSION_HEADER, [HEADERS.site]: options.site };
  return (event, { eventJson, value }, index) => {
    // At most 3 bytes of UTF-8 per UTF-16 code unit: only a long event needs its bytes counted.
    if (eventJson.length * 3 > options.maxEventBytes && Buffer.byteLength(eventJson) > options.maxEventBytes) {
      throw new IngestError('INGEST_EVENT_TOO_LARGE', `event ${index} is larger than ${options.maxEventBytes} bytes`);
    }
    return { key: event.anonymousId, value, headers };
  };
}

/**
 * Hands one request's messages (one per event, all built by one message builder, so with the same headers)
 * to the micro-batcher as records and counts the outcome in events; rethrows what the batcher throws.
 */
export async function produceEvents(app: FastifyInstance, site: string, messages: SinkMessage[]): Promise<void> {
  if (messages.length === 0) return;
  try {
    await app.batcher.submit(toRecords(messages, messages[0]!.headers));
  } catch (error) {
    const reason =
      error instanceof SinkUnavailableError
        ? 'kafka_unavailable'
        : error instanceof BatcherOverloadedError
          ? 'overloaded'
          : 'shutting_down';
    app.metrics.eventsRejected.inc({ reason }, messages.length);
    throw error;
  }
  app.metrics.eventsAccepted.inc({ site }, messages.length);
}
