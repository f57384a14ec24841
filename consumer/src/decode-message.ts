// Turns a Kafka message value into a line of line protocol, or says precisely
// why it cannot be stored, so the message can go to the dead-letter topic.
import { formatIssues, validateEnrichedEvent, type EnrichedEvent } from '@eventline/contract';
import { ConsumerError } from './errors.ts';
import { toPoint } from './to-point.ts';

export type Decoded = { ok: true; event: EnrichedEvent; line: string } | { ok: false; error: ConsumerError };

export function decodeMessage(value: Buffer | null): Decoded {
  if (value === null || value.length === 0) return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_EMPTY') };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_NOT_JSON', (error as Error).message) };
  }
  const validation = validateEnrichedEvent(parsed);
  if (!validation.ok) return { ok: false, error: new ConsumerError('CONSUMER_MESSAGE_INVALID', formatIssues(validation.issues)) };
  try {
    return { ok: true, event: validation.value, line: toPoint(validation.value) };
  } catch (error) {
    if (error instanceof ConsumerError) return { ok: false, error };
    throw error;
  }
}
