// JSON Schemas of the read API: Fastify validates query strings with them, the
// route types come from them, and so does the OpenAPI document at /docs.
import { STORED_EVENT_TYPES, LIMITS } from '@eventline/contract';
import { Type } from 'typebox';
import { API_LIMITS } from './api-limits.ts';
import { errorBodySchema } from '@eventline/kit/errors';
import { ERRORS } from './errors.ts';

export { API_LIMITS, EXPORT_TRUNCATED_HEADER } from './api-limits.ts';

const TYPE_LIST = `^(${STORED_EVENT_TYPES.join('|')})(,(${STORED_EVENT_TYPES.join('|')}))*$`;

const Time = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 40,
    description: `${description}: ISO-8601 with a zone (2026-11-25T08:00:00Z), \`now\`, or relative like -15m, -1h, -24h, -7d`,
  });

const RangeParams = {
  from: Type.Optional(Time('Inclusive start; default: one hour before `to`')),
  to: Type.Optional(Time('Exclusive end; default: now')),
};

const FilterParams = {
  ...RangeParams,
  type: Type.Optional(
    Type.String({
      pattern: TYPE_LIST,
      maxLength: 100,
      description: `Comma-separated event types: ${STORED_EVENT_TYPES.join(', ')}`,
    }),
  ),
  site: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
};

const Search = Type.Optional(
  Type.String({
    maxLength: LIMITS.textMaxLength,
    description: 'Case-insensitive text searched in the name, element text, selector and id, and page path and title',
  }),
);

export const EventsQuerySchema = Type.Object({
  ...FilterParams,
  q: Search,
  limit: Type.Integer({ minimum: 1, maximum: API_LIMITS.maxPageSize, default: API_LIMITS.defaultPageSize }),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 400, description: '`nextCursor` of the previous page' }),
  ),
});

export const ExportQuerySchema = Type.Object({
  ...FilterParams,
  q: Search,
  limit: Type.Integer({ minimum: 1, maximum: API_LIMITS.maxExportRows, default: API_LIMITS.maxExportRows }),
});

export const TimeseriesQuerySchema = Type.Object({
  ...FilterParams,
  q: Search,
  interval: Type.Optional(
    Type.String({
      pattern: '^\\d{1,6}(s|m|h|d|w)$',
      description: 'Bucket width like 30s, 5m, 1h, 1d; chosen automatically when omitted',
    }),
  ),
});

export const TopQuerySchema = Type.Object({
  ...FilterParams,
  q: Search,
  dimension: Type.Enum(['element', 'page'], { description: 'What to rank: element selectors or page paths' }),
  limit: Type.Integer({ minimum: 1, maximum: API_LIMITS.maxTop, default: API_LIMITS.defaultTop }),
});

export const CompletenessQuerySchema = Type.Object({
  ...RangeParams,
  site: FilterParams.site,
  examples: Type.Integer({
    minimum: 0,
    maximum: API_LIMITS.maxGapExamples,
    default: API_LIMITS.defaultGapExamples,
    description: 'Sessions with gaps to list, most missing first',
  }),
});

/** Every error answer: the kit's ErrorBody with the dashboard's codes (listed in dashboard/README.md). */
export const ErrorSchema = errorBodySchema(ERRORS);

/** The parts of a route schema the read API's routes share: token, error answers. */
export const API_ROUTE = {
  security: [{ bearer: [] }],
  response: { '4XX': ErrorSchema, '5XX': ErrorSchema },
};
