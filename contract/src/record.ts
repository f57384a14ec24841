// The value of a record on the events topic. Ingest writes one record per
// visitor per accepted request: a JSON array of that request's valid
// EnrichedEvents of one anonymous id, in the request's order, keyed by the
// anonymous id (so one visitor's events stay in one partition, in order). A
// request's events are split over several records when their JSON would exceed
// RECORD_MAX_BYTES. Records written before envelopes were introduced hold one
// EnrichedEvent object; the consumer reads both.

/** Largest record value ingest writes: a quarter of Kafka's default max.message.bytes (1 MiB). 256 KiB */
export const RECORD_MAX_BYTES = 256 * 1024;
