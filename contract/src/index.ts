export {
  CONTRACT_VERSION,
  LIMITS,
  EVENT_TYPES,
  STORED_EVENT_TYPES,
  TRIMMED_PROPERTY,
  type EventType,
  type StoredEventType,
} from './limits.ts';
export { TOPICS, HEADERS } from './topics.ts';
export {
  EventSchema,
  StoredEventSchema,
  BatchSchema,
  PageSchema,
  ElementSchema,
  EngagementSchema,
  PropertiesSchema,
  EventIdSchema,
  TimestampSchema,
  type Event,
  type StoredEvent,
  type Batch,
  type Page,
  type Element,
  type Engagement,
  type Properties,
} from './event.ts';
export { EnrichedEventSchema, UserAgentSchema, type EnrichedEvent, type UserAgent } from './enriched-event.ts';
export {
  validateEvent,
  validateStoredEvent,
  validateEnrichedEvent,
  formatIssues,
  readableErrors,
  type Validation,
  type ValidationIssue,
} from './validate.ts';
export { RECORD_MAX_BYTES } from './record.ts';
export { correctedEventTime, SKEW_STEP_MS } from './event-time.ts';
export { MEASUREMENT, TAG, FIELD, SLOTS_PER_MS, pointTimeNs, preferredSlot, fnv1a32 } from './storage.ts';
export {
  deriveDimensions,
  elementLabel,
  normalisePath,
  LABEL_MAX_LENGTH,
  type DerivedDimensions,
} from './dimensions.ts';
export {
  ROLLUP_GRAINS,
  ROLLUP_MEASUREMENTS,
  ROLLUP_TAG,
  ROLLUP_FIELD,
  ROLLUP_REVISION_FIELD,
  SEQUENCE_ROLLUP,
  JOURNEY_ROLLUP,
  RETENTION,
  AUDIENCES,
  DIMENSION_COLUMNS,
  DIMENSIONS,
  ALL_DIMENSION,
  ALL_VALUE,
  NONE_VALUE,
  OTHER_VALUE,
  DEFAULT_MAX_VALUES,
  hourOf,
  bucketStart,
  bucketEnd,
  touchedHourId,
  touchedHourKey,
  type Audience,
  type Dimension,
  type RollupCounts,
  type RollupGrain,
  type TimeSpan,
  type TouchedHour,
  type PartedRollup,
} from './rollup-storage.ts';
