// Publishes messages the consumer cannot store to the dead-letter topic, with
// the reason and the original position in headers. The promise resolves only
// once Kafka has acknowledged them (acks from all in-sync replicas), so the
// source offset is never committed past a message that is in neither place.
// A letter too large for the topic is published cut down rather than retried
// for ever; a refusal that retrying cannot change is reported as such.
import { HEADERS } from '@eventline/contract';
import type { IHeaders, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ConsumerError } from './errors.ts';

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: ConsumerError;
}

export interface DeadLetterPublisher {
  /**
   * Rejects with a retriable CONSUMER_DEAD_LETTER_UNAVAILABLE when Kafka may
   * accept them later, or CONSUMER_DEAD_LETTER_REFUSED when it will not.
   */
  publish(letters: readonly DeadLetter[]): Promise<void>;
}

/** Bytes of the original value a cut-down dead letter keeps: enough to recognise the message. 16 KiB */
export const TRUNCATED_VALUE_BYTES = 16 * 1024;

/** Longest `eventline-error` header (characters). */
const ERROR_HEADER_CHARS = 4096;

/** The three forms of a dead letter, from complete to the smallest that still says what and why. */
type Form = 'complete' | 'truncated' | 'headers-only';

interface Outgoing {
  letter: DeadLetter;
  form: Form;
  message: Message;
}

/**
 * What a failed send means, read along the error's causes:
 * `too-large` for MESSAGE_TOO_LARGE or RECORD_LIST_TOO_LARGE (a batch or one
 * message above the topic's limit); `retriable` when kafkajs ran out of
 * retries for a retriable error or marks the error retriable (broker down,
 * leader moving); `refused` otherwise (authorisation, invalid record, …).
 */
export function classifyProducerError(error: unknown): 'too-large' | 'retriable' | 'refused' {
  const chain: { name?: string; type?: string; retriable?: boolean }[] = [];
  for (let e: unknown = error; e && typeof e === 'object' && chain.length < 10; e = (e as { cause?: unknown }).cause)
    chain.push(e as (typeof chain)[number]);
  if (chain.some((e) => e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE')) return 'too-large';
  if (chain.some((e) => e.name === 'KafkaJSNumberOfRetriesExceeded')) return 'retriable';
  return chain.at(-1)?.retriable === true ? 'retriable' : 'refused';
}

export function createDeadLetterPublisher(options: {
  producer: Producer;
  topic: string;
  logger: Logger;
}): DeadLetterPublisher {
  const logger = options.logger.child({ module: 'dead-letter' });

  async function send(outgoing: readonly Outgoing[]): Promise<void> {
    try {
      await options.producer.send({ topic: options.topic, acks: -1, messages: outgoing.map((o) => o.message) });
      return;
    } catch (error) {
      const reason = (error as Error).message;
      const verdict = classifyProducerError(error);
      if (verdict === 'retriable')
        throw new ConsumerError('CONSUMER_DEAD_LETTER_UNAVAILABLE', reason, { cause: error });
      if (verdict === 'refused') throw new ConsumerError('CONSUMER_DEAD_LETTER_REFUSED', reason, { cause: error });
      if (outgoing.length > 1) {
        // The topic's limit applies to the batch of one request, so halves may pass where the whole did not.
        const half = Math.ceil(outgoing.length / 2);
        await send(outgoing.slice(0, half));
        await send(outgoing.slice(half));
        return;
      }
      const { letter, form } = outgoing[0]!;
      const smaller = smallerForm(letter, form);
      if (!smaller)
        throw new ConsumerError(
          'CONSUMER_DEAD_LETTER_REFUSED',
          `too large even without its value and headers: ${reason}`,
          { cause: error },
        );
      logger.warn(
        { partition: letter.partition, offset: letter.message.offset, form: smaller },
        'dead letter too large for the topic; publishing it cut down',
      );
      await send([{ letter, form: smaller, message: deadLetterMessage(letter, smaller) }]);
    }
  }

  return {
    async publish(letters) {
      if (letters.length === 0) return;
      await send(
        letters.map((letter) => ({ letter, form: 'complete', message: deadLetterMessage(letter, 'complete') })),
      );
      for (const { topic, partition, message, error } of letters) {
        logger.warn(
          { topic, partition, offset: message.offset, code: error.code, reason: error.message },
          'message sent to the dead-letter topic',
        );
      }
    },
  };
}

function smallerForm(letter: DeadLetter, form: Form): Form | undefined {
  if (form === 'complete' && (letter.message.value?.length ?? 0) > TRUNCATED_VALUE_BYTES) return 'truncated';
  return form === 'headers-only' ? undefined : 'headers-only';
}

function deadLetterMessage({ topic, partition, message, error }: DeadLetter, form: Form): Message {
  const origin: IHeaders = {
    [HEADERS.error]: `${error.code}: ${error.message}`.slice(0, ERROR_HEADER_CHARS),
    [HEADERS.sourceTopic]: topic,
    [HEADERS.sourcePartition]: String(partition),
    [HEADERS.sourceOffset]: message.offset,
  };
  const valueBytes = message.value?.length ?? 0;
  if (form === 'headers-only') {
    return {
      value: null,
      timestamp: message.timestamp,
      headers: {
        ...origin,
        [HEADERS.deadLetterTruncated]: `value (${valueBytes} bytes), key and original headers left out`,
      },
    };
  }
  if (form === 'truncated') {
    return {
      key: message.key,
      value: message.value!.subarray(0, TRUNCATED_VALUE_BYTES),
      timestamp: message.timestamp,
      headers: {
        ...copyHeaders(message.headers),
        ...origin,
        [HEADERS.deadLetterTruncated]: `value cut to its first ${TRUNCATED_VALUE_BYTES} of ${valueBytes} bytes`,
      },
    };
  }
  return {
    key: message.key,
    value: message.value,
    timestamp: message.timestamp,
    headers: { ...copyHeaders(message.headers), ...origin },
  };
}

function copyHeaders(headers: IHeaders | undefined): IHeaders {
  const copy: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) copy[name] = value;
  return copy;
}
