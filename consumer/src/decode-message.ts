// Turns a Kafka record value (contract/src/record.ts: an array of enriched
// events, or one enriched event in records from before envelopes) into events
// ready to be placed as points, and says precisely why any event, or the whole
// record, cannot be stored, so it can go to the dead-letter topic on its own.
// It never throws: an unexpected failure is a dead letter too, because a throw
// would leave the offset in place and fail on the same message after every restart.
import { formatIssues, validateEnrichedEvent, type EnrichedEvent } from '@eventline/contract';
import { ConsumerError } from './errors.ts';
import { preparePoint, type PreparedPoint } from './to-point.ts';

export interface DecodedEvent {
  /** Position in the record, from 0. */
  index: number;
  event: EnrichedEvent;
  point: PreparedPoint;
}

export interface RefusedEvent {
  /** Position in the record, from 0. */
  index: number;
  /** The event's own JSON, for its dead letter. */
  value: Buffer;
  error: ConsumerError;
}

export type Decoded =
  | {
      ok: true;
      /** True for an array of events; false for a record of one event in the old format. */
      envelope: boolean;
      events: DecodedEvent[];
      refused: RefusedEvent[];
    }
  | { ok: false; error: ConsumerError };

/** `prepare` encodes an event. Default: preparePoint */
export function decodeMessage(
  value: Buffer | null,
  prepare: (event: EnrichedEvent) => PreparedPoint = preparePoint,
): Decoded {
  if (value === null || value.length === 0) return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_EMPTY') };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_NOT_JSON', (error as Error).message) };
  }
  if (!Array.isArray(parsed)) {
    const one = decodeEvent(parsed, 0, prepare);
    return 'error' in one ? { ok: false, error: one.error } : { ok: true, envelope: false, events: [one], refused: [] };
  }
  if (parsed.length === 0)
    return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_INVALID', 'the record holds no events') };
  const events: DecodedEvent[] = [];
  const refused: RefusedEvent[] = [];
  parsed.forEach((candidate: unknown, index) => {
    const one = decodeEvent(candidate, index, prepare);
    if ('error' in one)
      refused.push({ index, value: Buffer.from(JSON.stringify(candidate) ?? 'null'), error: one.error });
    else events.push(one);
  });
  return { ok: true, envelope: true, events, refused };
}

function decodeEvent(
  candidate: unknown,
  index: number,
  prepare: (event: EnrichedEvent) => PreparedPoint,
): DecodedEvent | { error: ConsumerError } {
  try {
    const validation = validateEnrichedEvent(candidate);
    if (!validation.ok)
      return { error: new ConsumerError('CONSUMER_MESSAGE_INVALID', formatIssues(validation.issues)) };
    return { index, event: validation.value, point: prepare(validation.value) };
  } catch (error) {
    if (error instanceof ConsumerError) return { error };
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { error: new ConsumerError('CONSUMER_DECODE_FAILED', detail, { cause: error }) };
  }
}
