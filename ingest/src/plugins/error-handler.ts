// Every error leaves the service as the kit's ErrorBody with a code from the
// catalogue: Fastify's own errors, schema failures, broker failures and errors
// of the connection itself (a request too slow to arrive) are translated here
// and nowhere else.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { routeOf, type ErrorRepliesOptions } from '@eventline/kit/error-replies';
import type { IngestConfig } from '../config.ts';
import { IngestError } from '../errors.ts';
import { SinkUnavailableError } from '../kafka/event-sink.ts';
import { BatcherClosedError, BatcherOverloadedError } from '../kafka/micro-batcher.ts';

const FASTIFY_CODES: Record<string, (error: FastifyError) => IngestError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new IngestError('INGEST_PAYLOAD_TOO_LARGE'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new IngestError('INGEST_UNSUPPORTED_MEDIA_TYPE'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new IngestError('INGEST_INVALID_JSON', 'the body is empty'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new IngestError('INGEST_INVALID_JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new IngestError('INGEST_BAD_REQUEST', 'the body length does not match Content-Length'),
};

export function toIngestError(error: unknown): IngestError {
  if (error instanceof IngestError) return error;
  if (error instanceof SinkUnavailableError)
    return new IngestError('INGEST_KAFKA_UNAVAILABLE', undefined, { cause: error });
  if (error instanceof BatcherOverloadedError)
    return new IngestError('INGEST_OVERLOADED', error.message, { cause: error });
  if (error instanceof BatcherClosedError) return new IngestError('INGEST_SHUTTING_DOWN', undefined, { cause: error });
  const fastifyError = error as Partial<FastifyError> & { errno?: number };
  if (fastifyError.validation) {
    // `/events` in an Eventline batch, `/batch` in a Segment one.
    const tooMany = fastifyError.validation.some(
      (v) => v.keyword === 'maxItems' && (v.instancePath === '/events' || v.instancePath === '/batch'),
    );
    return tooMany
      ? new IngestError('INGEST_TOO_MANY_EVENTS')
      : new IngestError('INGEST_INVALID_BATCH', fastifyError.message);
  }
  const code = fastifyError.code ?? '';
  const translate = FASTIFY_CODES[code];
  if (translate) return translate(fastifyError as FastifyError);
  if (code.startsWith('Z_')) return new IngestError('INGEST_INVALID_GZIP', fastifyError.message);
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) return new IngestError('INGEST_BAD_REQUEST', fastifyError.message);
  return new IngestError('INGEST_INTERNAL', undefined, { cause: error });
}

export function errorRepliesOptions(config: IngestConfig): ErrorRepliesOptions {
  return {
    translate: toIngestError,
    notFound: (request) => new IngestError('INGEST_NOT_FOUND', `no route ${routeOf(request)}`),
    retryAfterSeconds: config.retryAfterSeconds,
  };
}

/**
 * Answers errors Node's HTTP parser raises before there is a request to reply
 * to: a request or its headers not complete within their timeouts (slowloris),
 * headers over the size limit, bytes that are not HTTP. Fastify's
 * `clientErrorHandler`, called with the app as `this`; the connection is closed.
 */
export function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const ingestError =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new IngestError('INGEST_REQUEST_TIMEOUT')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new IngestError('INGEST_HEADERS_TOO_LARGE')
        : new IngestError('INGEST_BAD_REQUEST', 'the request is not valid HTTP');
  this.log.debug({ code: ingestError.code, cause: error.code }, 'connection refused');
  if (socket.writable) {
    const body = ingestError.toBody();
    const json = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${body.error}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
        `Connection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}
