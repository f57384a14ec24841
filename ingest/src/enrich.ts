// Builds the Kafka message for one validated event: the EnrichedEvent of the
// contract (event, site, receivedAt, eventTime, userAgent) and nothing else, so
// no IP address can reach Kafka. eventTime uses the contract's resend-stable
// correction, so a resent event keeps its storage identity.
import { correctedEventTime, type StoredEvent, type UserAgent } from '@eventline/contract';

export interface BatchContext {
  site: string;
  /** Server clock when the request arrived, epoch ms. */
  receivedAt: number;
  /** The batch's `sentAt`, client clock, epoch ms. */
  sentAt: number;
  userAgent: UserAgent;
}

export interface EnrichedMessage {
  /** The serialized event alone, to check its size against the event limit. */
  eventJson: string;
  /** The serialized EnrichedEvent. */
  value: string;
}

/**
 * Serializes by concatenation so each event is stringified once: the same
 * string measures the event against its size limit and becomes part of the
 * message. `suffix` is shared by every event of a batch but eventTime.
 */
export function createBatchEnricher(context: BatchContext): (event: StoredEvent) => EnrichedMessage {
  const siteJson = JSON.stringify(context.site);
  const tail = `,"userAgent":${JSON.stringify(context.userAgent)}}`;
  return (event) => {
    const eventJson = JSON.stringify(event);
    const eventTime = correctedEventTime(event.timestamp, context.sentAt, context.receivedAt);
    return {
      eventJson,
      value: `{"event":${eventJson},"site":${siteJson},"receivedAt":${context.receivedAt},"eventTime":${eventTime}${tail}`,
    };
  };
}
