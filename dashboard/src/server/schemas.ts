// The dashboard's own parts of the read API's route schemas: its error answer
// and the token. Requests and answers are the contract's (@eventline/contract/read-api).
import { Type } from 'typebox';
import { ERRORS } from './errors.ts';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Enum(Object.keys(ERRORS)),
      message: Type.String(),
      retriable: Type.Boolean({ description: 'Whether the same request may succeed later' }),
    }),
  },
  { description: 'Every error answer; the codes are listed in dashboard/README.md' },
);

/** The parts of a route schema the read API's routes share: token, error answers. */
export const API_ROUTE = {
  security: [{ bearer: [] }],
  response: { '4XX': ErrorSchema, '5XX': ErrorSchema },
};
