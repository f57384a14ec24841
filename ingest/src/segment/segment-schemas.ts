// The Segment tracking spec's request shapes, as far as ingest reads them
// (https://segment.com/docs/connections/spec/common/). Envelopes are checked by
// the routes; each message is checked on its own, so one bad message in a batch
// does not sink the others. Fields the mapping does not read are allowed and
// ignored, as Segment itself does: clients add their own (`_metadata`, `integrations`).
import { Type, type Static } from 'typebox';
import { LIMITS } from '@eventline/contract';
import { ValidationIssueSchema } from '../schemas.ts';

/** The calls of the spec, as `type` names them. */
export const SEGMENT_CALLS = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;
export type SegmentCall = (typeof SEGMENT_CALLS)[number];

/** Segment accepts ids as strings or numbers; ingest stores them as strings. */
const Id = Type.Union([Type.String({ minLength: 1 }), Type.Number()]);
const IsoTime = Type.String({ minLength: 1, maxLength: 64, description: 'ISO 8601 date-time.' });
const FreeObject = Type.Record(Type.String(), Type.Unknown());

export const SegmentMessageSchema = Type.Object(
  {
    type: Type.Optional(Type.Enum(SEGMENT_CALLS)),
    messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    timestamp: Type.Optional(IsoTime),
    originalTimestamp: Type.Optional(IsoTime),
    sentAt: Type.Optional(IsoTime),
    anonymousId: Type.Optional(Id),
    userId: Type.Optional(Id),
    event: Type.Optional(Type.String({ minLength: 1 })),
    name: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
    properties: Type.Optional(FreeObject),
    traits: Type.Optional(FreeObject),
    groupId: Type.Optional(Id),
    previousId: Type.Optional(Id),
    context: Type.Optional(FreeObject),
  },
  { $id: 'SegmentMessage' },
);

export const SegmentBatchSchema = Type.Object(
  {
    batch: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: LIMITS.batchEvents,
      description: 'Segment messages; each is mapped and validated on its own.',
    }),
    writeKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    sentAt: Type.Optional(IsoTime),
    context: Type.Optional(FreeObject),
  },
  { $id: 'SegmentBatch' },
);

export const SegmentResponseSchema = Type.Object(
  {
    success: Type.Literal(true, { description: 'What Segment answers; its clients read only the status code.' }),
    accepted: Type.Integer({ minimum: 0, description: 'Messages acknowledged by Kafka.' }),
    rejected: Type.Array(
      Type.Object({
        index: Type.Integer({ minimum: 0, description: 'Position of the message in the batch.' }),
        messageId: Type.Optional(Type.String()),
        errors: Type.Array(ValidationIssueSchema),
      }),
      { description: 'Messages that could not be mapped or validated; they are dropped and must not be resent.' },
    ),
  },
  { $id: 'SegmentResponse' },
);

export type SegmentMessage = Static<typeof SegmentMessageSchema>;
export type SegmentResponse = Static<typeof SegmentResponseSchema>;
