// Everything the consumer can refuse or fail at, with a stable code. `retriable`
// decides the path: retriable failures pause the partition and back off (the
// offset does not move); the rest send the message to the dead-letter topic,
// except a dead-letter topic that refuses for good, which stops the consumer.
// `status` is what /readyz answers. The class comes from the kit's error factory.
import { createErrors } from '@eventline/kit/errors';

export const ERRORS = {
  CONSUMER_TOPIC_MISSING: { message: 'A Kafka topic the consumer needs does not exist', status: 500, retriable: false },
  CONSUMER_MESSAGE_EMPTY: { message: 'The Kafka message has no value', status: 400, retriable: false },
  CONSUMER_MESSAGE_NOT_JSON: { message: 'The Kafka message value is not JSON', status: 400, retriable: false },
  CONSUMER_MESSAGE_INVALID: { message: 'The message is not a valid EnrichedEvent', status: 400, retriable: false },
  CONSUMER_POINT_UNREPRESENTABLE: {
    message: 'The event cannot be stored as an InfluxDB point',
    status: 400,
    retriable: false,
  },
  CONSUMER_POINT_REJECTED: { message: 'InfluxDB refused the point', status: 400, retriable: false },
  CONSUMER_DECODE_FAILED: { message: 'Decoding the message failed unexpectedly', status: 500, retriable: false },
  CONSUMER_INFLUX_UNAVAILABLE: { message: 'InfluxDB did not accept the write', status: 503, retriable: true },
  CONSUMER_INFLUX_TIMEOUT: { message: 'InfluxDB did not answer the write in time', status: 503, retriable: true },
  CONSUMER_INFLUX_REFUSED: {
    message: 'InfluxDB refused the write request, not its points',
    status: 503,
    retriable: true,
  },
  CONSUMER_DEAD_LETTER_UNAVAILABLE: {
    message: 'The dead-letter topic did not accept the message',
    status: 503,
    retriable: true,
  },
  CONSUMER_TOUCHED_HOURS_UNAVAILABLE: {
    message: 'The touched-hours topic did not acknowledge the buckets a chunk touched',
    status: 503,
    retriable: true,
  },
  CONSUMER_DEAD_LETTER_REFUSED: {
    message: 'The dead-letter topic refused the message for good',
    status: 500,
    retriable: false,
  },
  CONSUMER_NOT_READY: {
    message: 'The consumer has not joined its group or InfluxDB is unhealthy',
    status: 503,
    retriable: true,
  },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export const ConsumerError = createErrors('ConsumerError', ERRORS);
export type ConsumerError = InstanceType<typeof ConsumerError>;
