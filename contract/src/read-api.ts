// The read API's requests and answers as JSON Schemas: the dashboard server
// validates query strings and serializes answers with them (so /docs shows the
// real bodies), and the UI and the test oracle take their types from them.
// Query strings refuse unknown parameters: a typo must not silently widen an answer.
import { Type, type Static } from 'typebox';
import { LIMITS, STORED_EVENT_TYPES } from './limits.ts';
import { DIMENSIONS, type Dimension } from './rollup-storage.ts';
import { ElementSchema, EngagementSchema } from './event.ts';
import { API_LIMITS } from './read-api-limits.ts';
import { COMPARISONS } from './answer-range.ts';

export { API_LIMITS, EXPORT_TRUNCATED_HEADER } from './read-api-limits.ts';

const TYPE_LIST = `^(${STORED_EVENT_TYPES.join('|')})(,(${STORED_EVENT_TYPES.join('|')}))*$`;

/** A query string: only the listed parameters are accepted. */
const Query = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

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

export const EventsQuerySchema = Query({
  ...FilterParams,
  q: Search,
  limit: Type.Integer({ minimum: 1, maximum: API_LIMITS.maxPageSize, default: API_LIMITS.defaultPageSize }),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 400, description: '`nextCursor` of the previous page' }),
  ),
});

export const ExportQuerySchema = Query({
  ...FilterParams,
  q: Search,
  limit: Type.Integer({ minimum: 1, maximum: API_LIMITS.maxExportRows, default: API_LIMITS.maxExportRows }),
});

export const TimeseriesQuerySchema = Query({
  ...FilterParams,
  q: Search,
  interval: Type.Optional(
    Type.String({
      pattern: '^\\d{1,6}(s|m|h|d|w)$',
      description: 'Bucket width like 30s, 5m, 1h, 1d; chosen automatically when omitted',
    }),
  ),
});

export const TOP_DIMENSIONS = ['element', 'page'] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

export const TopQuerySchema = Query({
  ...FilterParams,
  q: Search,
  dimension: Type.Enum(TOP_DIMENSIONS, { description: 'What to rank: element selectors or page paths' }),
  limit: Type.Integer({ minimum: 1, maximum: API_LIMITS.maxTop, default: API_LIMITS.defaultTop }),
});

export const CompletenessQuerySchema = Query({
  ...RangeParams,
  site: FilterParams.site,
  examples: Type.Integer({
    minimum: 0,
    maximum: API_LIMITS.maxGapExamples,
    default: API_LIMITS.defaultGapExamples,
    description: 'Sessions with gaps to list, most missing first',
  }),
});

// Answers. Optional members are left out rather than sent as null.

const Iso = (description: string) => Type.String({ description });

export const RangeSchema = Type.Object(
  {
    from: Iso('Inclusive start, ISO-8601 UTC'),
    to: Iso('Exclusive end, ISO-8601 UTC'),
  },
  { description: 'The range the answer covers, resolved from `from` and `to`' },
);

export const ApiEventSchema = Type.Object({
  id: Type.String(),
  time: Type.String({ description: 'RFC 3339 with nanoseconds, UTC: the stored point time' }),
  type: Type.String(),
  site: Type.String(),
  name: Type.String(),
  seq: Type.Optional(Type.Integer()),
  anonymousId: Type.Optional(Type.String()),
  sessionId: Type.Optional(Type.String()),
  tabId: Type.Optional(
    Type.String({ description: 'The page load that numbered the event (`seq` counts per session and tab)' }),
  ),
  userId: Type.Optional(Type.String()),
  page: Type.Object({
    url: Type.Optional(Type.String()),
    path: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    referrer: Type.Optional(Type.String()),
  }),
  element: Type.Optional(ElementSchema),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  engagement: Type.Optional(EngagementSchema),
  clientTimestamp: Type.Optional(Type.Number({ description: "The client's own clock, epoch ms" })),
  receivedAt: Type.Optional(Type.Number({ description: 'Epoch ms' })),
  userAgent: Type.Object({
    browser: Type.Optional(Type.String()),
    browserVersion: Type.Optional(Type.String()),
    os: Type.Optional(Type.String()),
    device: Type.Optional(Type.String()),
    bot: Type.Optional(Type.Boolean({ description: 'Sent by a crawler or headless browser (isbot)' })),
  }),
});

export const EventPageSchema = Type.Object({
  events: Type.Array(ApiEventSchema, { description: 'Newest first' }),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass back as `cursor` for the next (older) page; null on the last page',
  }),
});

export const TimeSeriesSchema = Type.Object({
  intervalMs: Type.Integer(),
  buckets: Type.Array(Type.Number(), { description: 'Bucket start times, epoch ms, ascending' }),
  series: Type.Record(Type.String(), Type.Array(Type.Number()), {
    description: 'Event counts per type, aligned with `buckets`',
  }),
  total: Type.Integer(),
});

export const TopListSchema = Type.Object({
  top: Type.Array(Type.Object({ key: Type.String(), count: Type.Integer() })),
  truncated: Type.Boolean({
    description: 'A search matched more events than are counted; the counts cover the newest of them',
  }),
});

const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const CompletenessFiguresSchema = Type.Object({
  sessions: Count('Distinct sequences, (session, tab) pairs, with at least one event in the range'),
  received: Count('Distinct event ids received'),
  expected: Count('Per session, max(seq) − min(seq) + 1 of the numbers seen in the range'),
  missing: Count("Sequence numbers between a session's first and last seen that are not stored"),
  duplicates: Count('Stored copies beyond the first of an event id; must be 0'),
  reusedSeqs: Count('Sequence numbers that two or more distinct event ids carry within one session'),
  sessionsWithGaps: Count('Sessions with at least one missing sequence number'),
  completeness: Type.Union([Type.Number(), Type.Null()], {
    description: '(expected − missing) / expected, 1 when complete; null when there is nothing to expect',
  }),
});

const SessionRef = {
  site: Type.String(),
  sessionId: Type.String(),
  tabId: Type.Optional(Type.String({ description: 'The tab of the sequence, when its events carry one' })),
};

export const CompletenessReportSchema = Type.Object({
  total: CompletenessFiguresSchema,
  sites: Type.Array(Type.Object({ site: Type.String(), ...CompletenessFiguresSchema.properties })),
  gapExamples: Type.Array(
    Type.Object({
      ...SessionRef,
      firstSeq: Type.Integer(),
      lastSeq: Type.Integer(),
      missing: Type.Integer(),
      ranges: Type.Array(Type.Tuple([Type.Integer(), Type.Integer()]), {
        description: 'Missing sequence numbers as inclusive [from, to] ranges, lowest first',
      }),
    }),
  ),
  reusedSeqExamples: Type.Array(
    Type.Object({ ...SessionRef, reused: Type.Integer(), seqs: Type.Array(Type.Integer()) }),
  ),
});

// Every answer says which range it covers.
export const EventsResponseSchema = Type.Object({ ...EventPageSchema.properties, range: RangeSchema });
export const TimeseriesResponseSchema = Type.Object({ ...TimeSeriesSchema.properties, range: RangeSchema });
export const TopResponseSchema = Type.Object({
  dimension: Type.Enum(TOP_DIMENSIONS),
  ...TopListSchema.properties,
  range: RangeSchema,
});
export const CompletenessResponseSchema = Type.Object({ ...CompletenessReportSchema.properties, range: RangeSchema });

// Read API v2: answers from the rollups, for one site over whole hours.

export const METRICS = ['visitors', 'sessions', 'pageviews', 'events'] as const;
export type Metric = (typeof METRICS)[number];
export const TIMESERIES_INTERVALS = ['hour', 'day', 'month'] as const;
export type TimeseriesInterval = (typeof TIMESERIES_INTERVALS)[number];

/** One `filter` of an answer: `dimension:value`. */
const FilterSchema = Type.String({
  pattern: `^(${DIMENSIONS.join('|')}):.{1,${LIMITS.textMaxLength}}$`,
  description: 'browser:Firefox, path:/pricing, utm_source:newsletter, referrer:(none)',
});

const AnswerParams = {
  site: Type.String({ minLength: 1, maxLength: 64, description: 'The site answered for' }),
  from: Type.Optional(Time('Inclusive start, widened to the start of its hour; default: 30 days before `to`')),
  to: Type.Optional(Time('Exclusive end, widened to the end of its hour; default: now')),
  timezone: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_+\\-/]+$',
    default: 'UTC',
    description:
      'IANA time zone days and months are cut in (Europe/Paris); `UTC` or any name Intl.supportedValuesOf("timeZone") lists whose offsets are whole hours',
  }),
  bots: Type.Enum(['exclude', 'only'], {
    default: 'exclude',
    description: 'Bots are counted apart: `exclude` answers for people, `only` for bots',
  }),
  filter: Type.Optional(
    Type.Array(FilterSchema, {
      maxItems: API_LIMITS.maxFilters,
      description:
        'Only events whose dimension has this value, as `dimension:value` (`(none)`: events without one); repeat the parameter to combine filters (all must hold). A filtered answer is computed from the raw events, so its range is at most 31 days',
    }),
  ),
};

/** `dimension:value` of a `filter` parameter, split at the first colon. */
export function parseFilter(filter: string): { dimension: Dimension; value: string } {
  const colon = filter.indexOf(':');
  return { dimension: filter.slice(0, colon) as Dimension, value: filter.slice(colon + 1) };
}

export const OverviewQuerySchema = Query({
  ...AnswerParams,
  compare: Type.Enum(COMPARISONS, {
    default: 'previous',
    description: 'Compare with the period just before, or with the same period a year before',
  }),
});

export const AnalyticsTimeseriesQuerySchema = Query({
  ...AnswerParams,
  metric: Type.Enum(METRICS, { default: 'visitors' }),
  interval: Type.Optional(
    Type.Enum(TIMESERIES_INTERVALS, {
      description: 'Bucket size; by default hour up to 2 days, day up to 92 days, month beyond',
    }),
  ),
});

export const BreakdownQuerySchema = Query({
  ...AnswerParams,
  dimension: Type.Enum(DIMENSIONS),
  metric: Type.Enum(METRICS, { default: 'visitors', description: 'What the rows are ranked by' }),
  limit: Type.Integer({ minimum: 1, maximum: API_LIMITS.maxTop, default: API_LIMITS.defaultTop }),
});

export const BreakdownsQuerySchema = Query({
  ...AnswerParams,
  dimension: Type.Array(Type.Enum(DIMENSIONS), {
    minItems: 1,
    maxItems: DIMENSIONS.length,
    uniqueItems: true,
    description: 'The dimensions to break down, each once; repeat the parameter (one answer for a whole page)',
  }),
  metric: BreakdownQuerySchema.properties.metric,
  limit: BreakdownQuerySchema.properties.limit,
});

const Figure = (description: string) => Type.Integer({ minimum: 0, description });

const MetricValuesSchema = Type.Object({
  visitors: Figure('Unique anonymous ids (HyperLogLog; exact up to 2 048, within 2 % beyond)'),
  sessions: Figure('Unique sessions (HyperLogLog, as visitors)'),
  pageviews: Figure('Page views'),
  events: Figure('Events of every type'),
});

const ComparedSchema = Type.Object({
  value: Type.Integer({ minimum: 0 }),
  previous: Type.Integer({ minimum: 0 }),
  change: Type.Union([Type.Number(), Type.Null()], {
    description: '(value − previous) / previous; null when previous is 0',
  }),
});

const AnswerRange = { range: RangeSchema, timezone: Type.String() };

export const OverviewResponseSchema = Type.Object({
  ...AnswerRange,
  compareRange: RangeSchema,
  metrics: Type.Object({
    visitors: ComparedSchema,
    sessions: ComparedSchema,
    pageviews: ComparedSchema,
    events: ComparedSchema,
  }),
});

export const AnalyticsTimeseriesResponseSchema = Type.Object({
  ...AnswerRange,
  metric: Type.Enum(METRICS),
  interval: Type.Enum(TIMESERIES_INTERVALS),
  buckets: Type.Array(Type.String(), {
    description: 'Local start of each bucket: 2026-11-02T14 (hour), 2026-11-02 (day) or 2026-11 (month)',
  }),
  values: Type.Array(Type.Integer({ minimum: 0 }), { description: 'The metric per bucket, aligned with `buckets`' }),
});

const BreakdownRowsSchema = Type.Array(Type.Object({ value: Type.String(), ...MetricValuesSchema.properties }), {
  description:
    'Top `limit` values by `metric`, then `(other)` for the rest when there is a rest; `(none)` is events without a value',
});

export const BreakdownResponseSchema = Type.Object({
  ...AnswerRange,
  dimension: Type.Enum(DIMENSIONS),
  metric: Type.Enum(METRICS),
  rows: BreakdownRowsSchema,
});

export const BreakdownsResponseSchema = Type.Object({
  ...AnswerRange,
  metric: Type.Enum(METRICS),
  breakdowns: Type.Array(Type.Object({ dimension: Type.Enum(DIMENSIONS), rows: BreakdownRowsSchema }), {
    description: 'One per requested dimension, in the order asked',
  }),
});

/** Completeness per chart bucket, from the raw events' sequence numbers (at most 31 days, like funnels). */
export const BucketCompletenessQuerySchema = Query({
  site: AnswerParams.site,
  from: Type.Optional(
    Time(
      'Inclusive start, widened to its hour; default: 30 days before `to`; the range is at most 31 days (raw events)',
    ),
  ),
  to: AnswerParams.to,
  timezone: AnswerParams.timezone,
  interval: AnalyticsTimeseriesQuerySchema.properties.interval,
});

const BucketCompletenessSchema = Type.Object({
  bucket: Type.String({ description: 'As the time series names it: 2026-11-02T14, 2026-11-02 or 2026-11' }),
  received: Figure('Distinct sequence numbers stored (a number stored twice counts once)'),
  expected: Figure('received + missing'),
  missing: Figure(
    'Numbers skipped between two received ones of a sequence, counted in the bucket of the event before the gap',
  ),
  completeness: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
    description: 'received / expected, at most 1; null when nothing was expected',
  }),
});

export const BucketCompletenessResponseSchema = Type.Object({
  ...AnswerRange,
  interval: Type.Enum(TIMESERIES_INTERVALS),
  buckets: Type.Array(BucketCompletenessSchema, { description: 'Every bucket of the range, in order' }),
});

/** `kind:value`: a page view of a path, a click, an input changed or a checkbox toggled on/off by element label, a custom event by name. */
export const FUNNEL_STEP_KINDS = ['pageview', 'click', 'input', 'toggle_on', 'toggle_off', 'custom'] as const;
export type FunnelStep = `${(typeof FUNNEL_STEP_KINDS)[number]}:${string}`;

export const FunnelQuerySchema = Query({
  ...AnswerParams,
  from: Type.Optional(Time('Inclusive start; default: 7 days before `to`; the range is at most 31 days (raw events)')),
  step: Type.Array(
    Type.String({
      pattern: `^(${FUNNEL_STEP_KINDS.join('|')}):.{1,${LIMITS.textMaxLength}}$`,
      description: 'pageview:/pricing, click:Buy now, input:Email, toggle_on:Accept terms, custom:signup',
    }),
    { minItems: 2, maxItems: 8, description: 'The ordered steps, 2 to 8: repeat the parameter' },
  ),
  within: Type.Enum(['session', 'visitor'], { default: 'session', description: 'Who must do the steps' }),
  window: Type.String({
    pattern: '^[1-9][0-9]{0,3}(m|h|d)$',
    default: '1d',
    description: 'Longest time from step 1 to the last step, like 30m, 2h, 7d',
  }),
});

export const AnalyticsEventsQuerySchema = Query({
  ...AnswerParams,
  from: Type.Optional(Time('Inclusive start; default: 7 days before `to`; the range is at most 31 days (raw events)')),
  limit: Type.Integer({ minimum: 1, maximum: API_LIMITS.maxPageSize, default: API_LIMITS.defaultPageSize }),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 400, description: '`nextCursor` of the previous page' }),
  ),
});

export const AnalyticsEventsResponseSchema = Type.Object({ ...EventPageSchema.properties, ...AnswerRange });

export const FunnelResponseSchema = Type.Object({
  ...AnswerRange,
  within: Type.Enum(['session', 'visitor']),
  windowMs: Type.Integer(),
  steps: Type.Array(
    Type.Object({
      step: Type.String(),
      actors: Figure('Sessions (or visitors) that reached this step in order within the window'),
      conversion: Type.Number({ description: 'actors / actors of step 1' }),
      dropOff: Figure('Reached this step but not the next'),
      nextActions: Type.Array(Type.Object({ action: Type.String(), actors: Type.Integer() }), {
        description: 'What those who dropped off here did right after (as `kind:value`), most first; `(none)`: nothing',
      }),
    }),
  ),
});

/** One element, by label, from the raw events of its range (at most 31 days, like funnels). */
export const ElementQuerySchema = Query({
  ...AnswerParams,
  from: Type.Optional(Time('Inclusive start; default: 7 days before `to`; the range is at most 31 days (raw events)')),
  label: Type.String({
    minLength: 1,
    maxLength: LIMITS.textMaxLength,
    description: 'The element label, as breakdowns by `label` list it',
  }),
});

export const ElementResponseSchema = Type.Object({
  ...AnswerRange,
  label: Type.String(),
  selectors: Type.Array(Type.String(), {
    description: 'CSS selectors the label was seen on, most events first (at most 10)',
  }),
  pages: Type.Array(Type.String(), {
    description: 'Page paths the element was used on, most events first (at most 10)',
  }),
  clicks: Figure('Clicks on the element'),
  clickers: Figure('Unique visitors who clicked it (HyperLogLog, as visitors)'),
  pageVisitors: Figure('Unique visitors of the pages it was used on, from the rollups'),
  clickThrough: Type.Union([Type.Number(), Type.Null()], {
    description: 'clickers / pageVisitors; null when the pages had no visitors',
  }),
  changes: Figure('Times a text field with this label was changed (input events)'),
  toggles: Type.Object(
    { on: Figure('Checkbox or radio turned on'), off: Figure('Turned off') },
    { description: 'change events by the checked state they left' },
  ),
});

/** Most characters of an annotation. */
export const ANNOTATION_MAX_LENGTH = 280;

export const AnnotationSchema = Type.Object({
  id: Type.String({ description: 'Stable id, for removing it' }),
  at: Type.String({ format: 'date-time', description: 'When it happened' }),
  text: Type.String({ description: 'What happened (shown as plain text)' }),
});

export const AnnotationsQuerySchema = Query({
  site: AnswerParams.site,
  from: AnswerParams.from,
  to: AnswerParams.to,
});

export const AnnotationsResponseSchema = Type.Object({
  annotations: Type.Array(AnnotationSchema, { description: 'Oldest first' }),
});

export const NewAnnotationSchema = Type.Object(
  {
    site: AnswerParams.site,
    at: Time('When it happened'),
    text: Type.String({ minLength: 1, maxLength: ANNOTATION_MAX_LENGTH, description: 'A deploy, a campaign, …' }),
  },
  { additionalProperties: false },
);

export const AnnotationTargetSchema = Query({ site: AnswerParams.site });

export const SitesResponseSchema = Type.Object({
  sites: Type.Array(Type.String(), {
    description: 'Every site with rolled-up events, by name; through a share link, its one site',
  }),
});
export type SitesResponse = Static<typeof SitesResponseSchema>;

/** The longest a link may live, days: a forgotten link stops working on its own. */
export const MAX_SHARE_DAYS = 365;

export const ShareRequestSchema = Type.Object(
  {
    site: Type.String({ minLength: 1, maxLength: 64, description: 'The one site the link reads' }),
    filters: Type.Array(FilterSchema, {
      maxItems: API_LIMITS.maxFilters,
      default: [],
      description: 'Answer filters (`dimension:value`) every request through the link carries',
    }),
    expiresInDays: Type.Integer({ minimum: 1, maximum: MAX_SHARE_DAYS, default: 7 }),
  },
  { additionalProperties: false },
);

export const ShareResponseSchema = Type.Object({
  token: Type.String({ description: 'Send as `Authorization: Bearer <token>`; GET requests only' }),
  path: Type.String({ description: 'The Analyze page with the token in its fragment: prefix the dashboard origin' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export type EventsQuery = Static<typeof EventsQuerySchema>;
export type FunnelQuery = Static<typeof FunnelQuerySchema>;
export type AnalyticsEventsQuery = Static<typeof AnalyticsEventsQuerySchema>;
export type AnalyticsEventsResponse = Static<typeof AnalyticsEventsResponseSchema>;
export type FunnelResponse = Static<typeof FunnelResponseSchema>;
export type OverviewQuery = Static<typeof OverviewQuerySchema>;
export type OverviewResponse = Static<typeof OverviewResponseSchema>;
export type AnalyticsTimeseriesQuery = Static<typeof AnalyticsTimeseriesQuerySchema>;
export type AnalyticsTimeseriesResponse = Static<typeof AnalyticsTimeseriesResponseSchema>;
export type BreakdownQuery = Static<typeof BreakdownQuerySchema>;
export type BreakdownsQuery = Static<typeof BreakdownsQuerySchema>;
export type BreakdownsResponse = Static<typeof BreakdownsResponseSchema>;
export type BucketCompletenessQuery = Static<typeof BucketCompletenessQuerySchema>;
export type BucketCompleteness = Static<typeof BucketCompletenessSchema>;
export type BucketCompletenessResponse = Static<typeof BucketCompletenessResponseSchema>;
export type BreakdownResponse = Static<typeof BreakdownResponseSchema>;
export type MetricValues = Static<typeof MetricValuesSchema>;
export type ApiEvent = Static<typeof ApiEventSchema>;
export type EventPage = Static<typeof EventPageSchema>;
export type TimeSeries = Static<typeof TimeSeriesSchema>;
export type TopList = Static<typeof TopListSchema>;
export type CompletenessFigures = Static<typeof CompletenessFiguresSchema>;
export type CompletenessReport = Static<typeof CompletenessReportSchema>;
export type ApiRange = Static<typeof RangeSchema>;
export type EventsResponse = Static<typeof EventsResponseSchema>;
export type TimeseriesResponse = Static<typeof TimeseriesResponseSchema>;
export type TopResponse = Static<typeof TopResponseSchema>;
export type CompletenessResponse = Static<typeof CompletenessResponseSchema>;
export type ElementQuery = Static<typeof ElementQuerySchema>;
export type ElementResponse = Static<typeof ElementResponseSchema>;
export type Annotation = Static<typeof AnnotationSchema>;
export type AnnotationsResponse = Static<typeof AnnotationsResponseSchema>;
export type NewAnnotation = Static<typeof NewAnnotationSchema>;
export type ShareRequest = Static<typeof ShareRequestSchema>;
export type ShareResponse = Static<typeof ShareResponseSchema>;
