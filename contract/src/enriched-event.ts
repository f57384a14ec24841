// The message ingest writes to Kafka and the consumer reads: the client's event
// plus what the server learned on receipt. Raw IP addresses are never part of it.
import { Type, type Static } from 'typebox';
import { StoredEventSchema, TimestampSchema } from './event.ts';

export const UserAgentSchema = Type.Object(
  {
    browser: Type.Optional(Type.String({ maxLength: 64 })),
    browserVersion: Type.Optional(Type.String({ maxLength: 32 })),
    os: Type.Optional(Type.String({ maxLength: 64 })),
    device: Type.Optional(Type.String({ maxLength: 32 })),
    /** Set (to true) only for crawlers and headless browsers, as recognised by isbot. */
    bot: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const EnrichedEventSchema = Type.Object(
  {
    event: StoredEventSchema,
    /** The site the write key belongs to. */
    site: Type.String({ minLength: 1, maxLength: 64 }),
    receivedAt: TimestampSchema,
    /**
     * The client's time corrected by its clock skew rounded to whole minutes
     * (`correctedEventTime`), so a resent event keeps it. At most
     * receivedAt + 30 s: it can be a little after receipt (a client clock a few
     * ms ahead), which a clamp to receivedAt would change on every resend.
     */
    eventTime: TimestampSchema,
    userAgent: UserAgentSchema,
  },
  { additionalProperties: false, $id: 'EnrichedEvent' },
);

export type UserAgent = Static<typeof UserAgentSchema>;
export type EnrichedEvent = Static<typeof EnrichedEventSchema>;
