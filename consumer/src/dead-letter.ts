// Publishes messages the consumer cannot store to the dead-letter topic, with
// the reason and the original position in headers. The promise resolves only
// once Kafka has acknowledged them (acks from all in-sync replicas), so the
// source offset is never committed past a message that is in neither place.
import { HEADERS } from '@eventline/contract';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ConsumerError } from './errors.ts';

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: ConsumerError;
}

export interface DeadLetterPublisher {
  publish(letters: readonly DeadLetter[]): Promise<void>;
}

export function createDeadLetterPublisher(options: { producer: Producer; topic: string; logger: Logger }): DeadLetterPublisher {
  const logger = options.logger.child({ module: 'dead-letter' });
  return {
    async publish(letters) {
      if (letters.length === 0) return;
      try {
        await options.producer.send({
          topic: options.topic,
          acks: -1,
          messages: letters.map(({ topic, partition, message, error }) => ({
            key: message.key,
            value: message.value,
            timestamp: message.timestamp,
            headers: {
              ...copyHeaders(message.headers),
              [HEADERS.error]: `${error.code}: ${error.message}`.slice(0, 4096),
              [HEADERS.sourceTopic]: topic,
              [HEADERS.sourcePartition]: String(partition),
              [HEADERS.sourceOffset]: message.offset,
            },
          })),
        });
      } catch (error) {
        throw new ConsumerError('CONSUMER_DEAD_LETTER_UNAVAILABLE', (error as Error).message, { cause: error });
      }
      for (const { topic, partition, message, error } of letters) {
        logger.warn({ topic, partition, offset: message.offset, code: error.code, reason: error.message }, 'message sent to the dead-letter topic');
      }
    },
  };
}

function copyHeaders(headers: IHeaders | undefined): IHeaders {
  const copy: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) copy[name] = value;
  return copy;
}
