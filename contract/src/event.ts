// The event as the SDK sends it, and the batch envelope around it. These JSON
// Schemas are what ingest validates with and what its OpenAPI document shows.
import { Type, type Static } from 'typebox';
import { CONTRACT_VERSION, EVENT_TYPES, LIMITS, STORED_EVENT_TYPES } from './limits.ts';

const ShortText = (maxLength: number = LIMITS.textMaxLength) => Type.String({ maxLength });

export const EventIdSchema = Type.String({
  pattern: '^[A-Za-z0-9_-]+$',
  minLength: LIMITS.idMinLength,
  maxLength: LIMITS.idMaxLength,
  description: 'Unique, client-generated, URL-safe id; storage deduplicates on it.',
});

/** Epoch milliseconds. */
export const TimestampSchema = Type.Integer({ minimum: 0, maximum: 8.64e15, description: 'Epoch milliseconds.' });

const PropertyKey = Type.String({ minLength: 1, maxLength: LIMITS.propertyKeyMaxLength });
const PropertyValue = Type.Union([
  Type.String({ maxLength: LIMITS.propertyValueMaxLength }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
]);

// TypeBox turns a record's key schema into `patternProperties: { "^.*$": … }`,
// which checks no length: `propertyNames` is what enforces the key limits.
export const PropertiesSchema = Type.Record(PropertyKey, PropertyValue, {
  propertyNames: PropertyKey,
  maxProperties: LIMITS.maxProperties,
  description: 'Free-form, flat key/value pairs.',
});

export const PageSchema = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: LIMITS.urlMaxLength }),
    path: Type.String({ maxLength: LIMITS.urlMaxLength }),
    title: Type.Optional(ShortText()),
    referrer: Type.Optional(Type.String({ maxLength: LIMITS.urlMaxLength })),
  },
  { additionalProperties: false },
);

export const ElementSchema = Type.Object(
  {
    tag: Type.String({ minLength: 1, maxLength: LIMITS.tagMaxLength }),
    id: Type.Optional(ShortText()),
    name: Type.Optional(ShortText()),
    selector: Type.String({ maxLength: LIMITS.selectorMaxLength, description: 'A short, stable CSS selector.' }),
    text: Type.Optional(ShortText()),
    /** `data-track-*` attributes, without the prefix. */
    attributes: Type.Optional(
      Type.Record(PropertyKey, Type.String({ maxLength: LIMITS.textMaxLength }), {
        propertyNames: PropertyKey,
        maxProperties: LIMITS.maxProperties,
      }),
    ),
    /** Input type for `input` elements (text, email, checkbox, ...). */
    inputType: Type.Optional(Type.String({ maxLength: 32 })),
    /** Checkbox or radio state after a `change`. */
    checked: Type.Optional(Type.Boolean()),
    /** Length of a text field's value; the value itself is only sent when the element opts in. */
    valueLength: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Whether a text field's value differs from when it gained focus. */
    changed: Type.Optional(Type.Boolean()),
    /** The field's value, only for elements marked `data-track-value`. */
    value: Type.Optional(Type.String({ maxLength: LIMITS.propertyValueMaxLength })),
    /**
     * Absolute URL of a clicked link or a submitted form's action, secrets in its query masked, so outbound links
     * (another host) and downloads (a file path, `download`) can be told apart downstream.
     */
    href: Type.Optional(Type.String({ maxLength: LIMITS.urlMaxLength })),
  },
  { additionalProperties: false },
);

/** How a page was used, on `pageleave` events. */
export const EngagementSchema = Type.Object(
  {
    /** Time the page was visible and the user active (input within the idle window), in ms, since the last `pageleave` of the page view. */
    engagedMs: Type.Integer({ minimum: 0 }),
    /** Deepest point of the page the viewport reached in the page view, in percent of its height. */
    scrollDepth: Type.Integer({ minimum: 0, maximum: 100 }),
  },
  { additionalProperties: false },
);

const EventFields = {
  v: Type.Literal(CONTRACT_VERSION),
  id: EventIdSchema,
  type: Type.Enum(EVENT_TYPES),
  name: Type.String({ minLength: 1, maxLength: LIMITS.nameMaxLength }),
  timestamp: TimestampSchema,
  seq: Type.Integer({
    minimum: 0,
    description: 'Sequence number from 0, without gaps, per session and tab (per session when there is no tabId).',
  }),
  anonymousId: Type.String({ minLength: 1, maxLength: LIMITS.idMaxLength }),
  sessionId: Type.String({ minLength: 1, maxLength: LIMITS.idMaxLength }),
  tabId: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: LIMITS.idMaxLength,
      description: 'The page load that captured the event; `seq` counts per session and tab.',
    }),
  ),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.textMaxLength })),
  page: PageSchema,
  element: Type.Optional(ElementSchema),
  properties: Type.Optional(PropertiesSchema),
  engagement: Type.Optional(EngagementSchema),
};

/** The event as the SDK sends it: always inside a session, on a page. */
export const EventSchema = Type.Object(EventFields, { additionalProperties: false, $id: 'Event' });

/**
 * Every event ingest writes to Kafka and storage keeps: the SDK's Event, or one
 * mapped from a Segment-compatible client, which has no Eventline session (so no
 * sequence number) and, server-side, no page. Storage deduplicates on `id` alone.
 */
export const StoredEventSchema = Type.Object(
  {
    ...EventFields,
    type: Type.Enum(STORED_EVENT_TYPES),
    seq: Type.Optional(EventFields.seq),
    sessionId: Type.Optional(EventFields.sessionId),
    page: Type.Optional(PageSchema),
  },
  {
    additionalProperties: false,
    // A sequence number means something only within its session.
    dependentRequired: { seq: ['sessionId'], sessionId: ['seq'] },
    $id: 'StoredEvent',
  },
);

export const BatchSchema = Type.Object(
  {
    writeKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    sentAt: TimestampSchema,
    events: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: LIMITS.batchEvents,
      description: 'Each item is validated as an Event on its own, so one bad event does not sink the batch.',
    }),
  },
  { additionalProperties: false, $id: 'Batch' },
);

export type Event = Static<typeof EventSchema>;
export type StoredEvent = Static<typeof StoredEventSchema>;
export type Page = Static<typeof PageSchema>;
export type Element = Static<typeof ElementSchema>;
export type Engagement = Static<typeof EngagementSchema>;
export type Properties = Static<typeof PropertiesSchema>;
export type Batch = Omit<Static<typeof BatchSchema>, 'events'> & { events: Event[] };
