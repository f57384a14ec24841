// Response shapes of the HTTP API. Routes serialize with them and the OpenAPI
// document at /docs is generated from them, next to the contract's request schemas.
import { Type, type Static } from 'typebox';
import { errorBodySchema } from '@eventline/kit/errors';
import { ERRORS } from './errors.ts';

export const ValidationIssueSchema = Type.Object({
  path: Type.String({ description: 'JSON pointer into the event, empty for the event itself.' }),
  message: Type.String(),
});

export const BatchResponseSchema = Type.Object(
  {
    accepted: Type.Integer({ minimum: 0, description: 'Events acknowledged by Kafka.' }),
    rejected: Type.Array(
      Type.Object({
        index: Type.Integer({ minimum: 0, description: 'Position of the event in the batch.' }),
        errors: Type.Array(ValidationIssueSchema),
      }),
      { description: 'Events that failed validation; they are dropped and must not be resent.' },
    ),
    serverTime: Type.Integer({ description: 'Server clock when answering, epoch ms, to reveal client clock skew.' }),
  },
  { $id: 'BatchResponse' },
);

export const ErrorResponseSchema = errorBodySchema(ERRORS);

export const WriteKeyQuerySchema = Type.Object({
  writeKey: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'For sendBeacon, which cannot set headers or must stay a simple request.',
    }),
  ),
});

export type BatchResponse = Static<typeof BatchResponseSchema>;
