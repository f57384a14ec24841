// Every error the dashboard's API can answer with: a stable code, an HTTP
// status and whether retrying the same request can succeed. The README lists
// them all (a test keeps the two in step). The class and the body every error
// answers with come from the kit (see kit/README.md).
import { createErrors } from '@eventline/kit/errors';

export const ERRORS = {
  DASHBOARD_UNAUTHORIZED: {
    status: 401,
    message: 'A valid read token is required (Authorization: Bearer <token>)',
    retriable: false,
  },
  DASHBOARD_SHARE_FORBIDDEN: {
    status: 403,
    message: 'A share link only reads its own site and filters',
    retriable: false,
  },
  DASHBOARD_INVALID_QUERY: { status: 400, message: 'A query parameter is missing or malformed', retriable: false },
  DASHBOARD_UNKNOWN_PARAMETER: {
    status: 400,
    message: 'The query string has parameters this route does not take',
    retriable: false,
  },
  DASHBOARD_INVALID_TIME: {
    status: 400,
    message: 'A time is neither ISO-8601 nor a relative preset like -1h',
    retriable: false,
  },
  DASHBOARD_INVALID_TIMEZONE: {
    status: 400,
    message: 'The time zone is not an IANA name this server knows, or cannot be cut from hourly rollups',
    retriable: false,
  },
  DASHBOARD_INVALID_RANGE: { status: 400, message: '`from` must be before `to`', retriable: false },
  DASHBOARD_RANGE_TOO_LARGE: { status: 400, message: 'The time range is longer than allowed', retriable: false },
  DASHBOARD_TOO_MANY_BUCKETS: {
    status: 400,
    message: 'The interval would split the range into too many buckets',
    retriable: false,
  },
  DASHBOARD_INVALID_CURSOR: { status: 400, message: 'The pagination cursor is malformed', retriable: false },
  DASHBOARD_NOT_FOUND: { status: 404, message: 'No such route', retriable: false },
  DASHBOARD_ANNOTATION_NOT_FOUND: { status: 404, message: 'The site has no such annotation', retriable: false },
  DASHBOARD_UI_NOT_BUILT: {
    status: 503,
    message: 'The dashboard UI is not built: run `npm run build -w dashboard`',
    retriable: false,
  },
  DASHBOARD_STORAGE_UNAVAILABLE: { status: 503, message: 'InfluxDB could not answer the query', retriable: true },
  DASHBOARD_INTERNAL: { status: 500, message: 'Internal error', retriable: true },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export const DashboardError = createErrors('DashboardError', ERRORS);
export type DashboardError = InstanceType<typeof DashboardError>;
