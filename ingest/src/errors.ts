// The ingest service's error catalogue: every error a client can get, with its
// HTTP status and whether retrying the same request later can succeed. The
// README documents each code; a test keeps the two in step. The class and the
// body every error answers with come from the kit (see kit/README.md).
import { createErrors } from '@eventline/kit/errors';

export const ERRORS = {
  INGEST_INVALID_JSON: { status: 400, retriable: false, message: 'The body is not valid JSON' },
  INGEST_INVALID_GZIP: { status: 400, retriable: false, message: 'The body is not valid gzip' },
  INGEST_INVALID_BATCH: { status: 400, retriable: false, message: 'The body is not a valid batch' },
  INGEST_INVALID_MESSAGE: { status: 400, retriable: false, message: 'The body is not a valid Segment message' },
  INGEST_WRITE_KEY_CONFLICT: {
    status: 400,
    retriable: false,
    message: 'The query string or Authorization header and the body name different write keys',
  },
  INGEST_BAD_REQUEST: { status: 400, retriable: false, message: 'The request is malformed' },
  INGEST_MISSING_WRITE_KEY: {
    status: 401,
    retriable: false,
    message: 'No write key: pass ?writeKey= or "writeKey" in the body',
  },
  INGEST_UNKNOWN_WRITE_KEY: { status: 401, retriable: false, message: 'Unknown write key' },
  INGEST_ORIGIN_NOT_ALLOWED: { status: 403, retriable: false, message: 'This origin is not allowed for the write key' },
  INGEST_NOT_FOUND: { status: 404, retriable: false, message: 'No such route' },
  INGEST_REQUEST_TIMEOUT: { status: 408, retriable: true, message: 'The request did not arrive in time' },
  INGEST_PAYLOAD_TOO_LARGE: { status: 413, retriable: false, message: 'The body is larger than the batch limit' },
  INGEST_EVENT_TOO_LARGE: { status: 413, retriable: false, message: 'An event is larger than the event limit' },
  INGEST_TOO_MANY_EVENTS: { status: 413, retriable: false, message: 'The batch has more events than allowed' },
  INGEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false, message: 'Send application/json or text/plain' },
  INGEST_UNSUPPORTED_ENCODING: {
    status: 415,
    retriable: false,
    message: 'Only gzip and identity content encodings are accepted',
  },
  INGEST_HEADERS_TOO_LARGE: { status: 431, retriable: false, message: 'The request headers are too large' },
  INGEST_RATE_LIMITED: { status: 429, retriable: true, message: 'Too many requests' },
  INGEST_INTERNAL: { status: 500, retriable: true, message: 'Internal error' },
  INGEST_KAFKA_UNAVAILABLE: {
    status: 503,
    retriable: true,
    message: 'Kafka did not acknowledge the events; nothing was accepted',
  },
  INGEST_OVERLOADED: {
    status: 503,
    retriable: true,
    message: 'Too many events are waiting for Kafka, or waiting too long; nothing was accepted',
  },
  INGEST_BUSY: {
    status: 503,
    retriable: true,
    message: 'The server is too busy to answer in time; nothing was accepted',
  },
  INGEST_SHUTTING_DOWN: { status: 503, retriable: true, message: 'The server is shutting down' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export const IngestError = createErrors('IngestError', ERRORS);
export type IngestError = InstanceType<typeof IngestError>;
