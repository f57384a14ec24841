// The dashboard's own parts of the read API's route schemas: its error answer
// and the token. Requests and answers are the contract's (@eventline/contract/read-api).
import { errorBodySchema } from '@eventline/kit/errors';
import { ERRORS } from './errors.ts';

/** Every error answer: the kit's ErrorBody with the dashboard's codes (listed in dashboard/README.md). */
export const ErrorSchema = errorBodySchema(ERRORS);

/** The parts of a route schema the read API's routes share: token, error answers. */
export const API_ROUTE = {
  security: [{ bearer: [] }],
  response: { '4XX': ErrorSchema, '5XX': ErrorSchema },
};
