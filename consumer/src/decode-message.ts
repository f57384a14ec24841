// Turns a Kafka message value into a line of line protocol, or says precisely
// why it cannot be stored, so the message can go to the dead-letter topic.
// It never throws: an unexpected failure is a dead letter too, because a throw
// would leave the offset in place and fail on the same message after every restart.
import { formatIssues, validateEnrichedEvent, type EnrichedEvent } from '@eventline/contract';
import { ConsumerError } from './errors.ts';
import { toPoint } from './to-point.ts';

export type Decoded = { ok: true; event: EnrichedEvent; line: string } | { ok: false; error: ConsumerError };

/** `toLine` is the line builder. Default: toPoint */
export function decodeMessage(value: Buffer | null, toLine: (event: EnrichedEvent) => string = toPoint): Decoded {
  try {
    return decode(value, toLine);
  } catch (error) {
    if (error instanceof ConsumerError) return { ok: false, error };
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, error: new ConsumerError('CONSUMER_DECODE_FAILED', detail, { cause: error }) };
  }
}

function decode(value: Buffer | null, toLine: (event: EnrichedEvent) => string): Decoded {
  if (value === null || value.length === 0) return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_EMPTY') };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_NOT_JSON', (error as Error).message) };
  }
  const validation = validateEnrichedEvent(parsed);
  if (!validation.ok)
    return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_INVALID', formatIssues(validation.issues)) };
  return { ok: true, event: validation.value, line: toLine(validation.value) };
}
