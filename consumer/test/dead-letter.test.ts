import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyProducerError } from '../src/dead-letter.ts';

/** A broker error response as kafkajs builds it from its protocol error table. */
const protocolError = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable }));
/** How kafkajs's retrier hands on an error it does not retry (src/retry/index.js). */
const notRetried = (error: Error) => Object.assign(new KafkaJSNonRetriableError(error), { cause: error });

describe('classifyProducerError', () => {
  it.each([
    ['a message above max.message.bytes', protocolError('MESSAGE_TOO_LARGE', 10, false)],
    ['a batch above the segment size', protocolError('RECORD_LIST_TOO_LARGE', 18, false)],
  ])('finds %s, as kafkajs raises it directly or wrapped', (_, error) => {
    expect(classifyProducerError(error)).toBe('too-large');
    expect(classifyProducerError(notRetried(error))).toBe('too-large');
  });

  it('calls a refusal retrying cannot change refused, not retriable', () => {
    const denied = protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false);
    expect(classifyProducerError(denied)).toBe('refused');
    expect(classifyProducerError(notRetried(denied))).toBe('refused');
    expect(classifyProducerError(new TypeError('a bug'))).toBe('refused');
  });

  it('calls a broker that is away retriable, also once kafkajs ran out of its own retries', () => {
    const down = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    expect(classifyProducerError(down)).toBe('retriable');
    expect(classifyProducerError(new KafkaJSNumberOfRetriesExceeded(down, { retryCount: 5, retryTime: 1000 }))).toBe(
      'retriable',
    );
    expect(classifyProducerError(protocolError('NOT_LEADER_FOR_PARTITION', 6, true))).toBe('retriable');
    expect(classifyProducerError(new KafkaJSError('The producer is disconnected'))).toBe('retriable');
  });
});
