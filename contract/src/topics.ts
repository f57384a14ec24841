// Kafka topic names and the headers every Eventline message carries.

export const TOPICS = Object.freeze({
  /** Validated, enriched events; keyed by anonymous id so one visitor stays ordered. */
  events: 'events',
  /** Messages the consumer could not parse or validate, with the reason in headers. */
  deadLetter: 'events.dlq',
  /** The (site, hour) buckets each stored chunk touched, published after the points are durable; drives the rollups. */
  touchedHours: 'events.touched-hours',
});

export const HEADERS = Object.freeze({
  contractVersion: 'eventline-contract-version',
  site: 'eventline-site',
  /** On dead letters: why the message was refused. */
  error: 'eventline-error',
  /** On dead letters: where the message came from. */
  sourceTopic: 'eventline-source-topic',
  sourcePartition: 'eventline-source-partition',
  sourceOffset: 'eventline-source-offset',
  /** On dead letters of one event out of a record of several: its position in the record, from 0. */
  sourceIndex: 'eventline-source-index',
  /** On dead letters cut down to fit the topic's max.message.bytes: what was left out. */
  deadLetterTruncated: 'eventline-dead-letter-truncated',
});
