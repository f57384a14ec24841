export { CONTRACT_VERSION, LIMITS, EVENT_TYPES, TRIMMED_PROPERTY, type EventType } from './limits.ts';
export { TOPICS, HEADERS } from './topics.ts';
export {
  EventSchema,
  BatchSchema,
  PageSchema,
  ElementSchema,
  PropertiesSchema,
  EventIdSchema,
  TimestampSchema,
  type Event,
  type Batch,
  type Page,
  type Element,
  type Properties,
} from './event.ts';
export { EnrichedEventSchema, UserAgentSchema, type EnrichedEvent, type UserAgent } from './enriched-event.ts';
export {
  validateEvent,
  validateEnrichedEvent,
  formatIssues,
  readableErrors,
  type Validation,
  type ValidationIssue,
} from './validate.ts';
export { correctedEventTime, SKEW_STEP_MS } from './event-time.ts';
export { MEASUREMENT, TAG, FIELD, pointTimeNs, fnv1a32 } from './storage.ts';
