// Every error leaves the service as `{ statusCode, code, error, message }` with a
// code from the catalogue: Fastify's own errors, schema failures, broker
// failures and errors of the connection itself (a request too slow to arrive)
// are translated here and nowhere else.
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { IngestConfig } from '../config.ts';
import { IngestError } from '../errors.ts';
import { SinkUnavailableError } from '../kafka/event-sink.ts';
import { BatcherClosedError, BatcherOverloadedError } from '../kafka/micro-batcher.ts';

const FASTIFY_CODES: Record<string, (error: FastifyError) => IngestError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new IngestError('INGEST_PAYLOAD_TOO_LARGE'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new IngestError('INGEST_UNSUPPORTED_MEDIA_TYPE'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new IngestError('INGEST_INVALID_JSON', 'The body is empty'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new IngestError('INGEST_INVALID_JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new IngestError('INGEST_BAD_REQUEST', 'The body length does not match Content-Length'),
};

export function toIngestError(error: unknown): IngestError {
  if (error instanceof IngestError) return error;
  if (error instanceof SinkUnavailableError)
    return new IngestError('INGEST_KAFKA_UNAVAILABLE', undefined, { cause: error });
  if (error instanceof BatcherOverloadedError) return new IngestError('INGEST_OVERLOADED', undefined, { cause: error });
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
  if (code.startsWith('Z_'))
    return new IngestError('INGEST_INVALID_GZIP', `The body is not valid gzip (${fastifyError.message})`);
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) return new IngestError('INGEST_BAD_REQUEST', fastifyError.message);
  return new IngestError('INGEST_INTERNAL', undefined, { cause: error });
}

export const errorHandlerPlugin = fp(
  async (app, options: { config: IngestConfig }) => {
    app.setErrorHandler((error, request, reply) => {
      const ingestError = toIngestError(error);
      if (ingestError.code === 'INGEST_INTERNAL') {
        request.log.error({ err: error, code: ingestError.code }, ingestError.message);
      } else if (ingestError.statusCode >= 500) {
        const cause = ingestError.cause instanceof Error ? ingestError.cause.message : undefined;
        request.log.warn({ code: ingestError.code, cause }, ingestError.message);
      } else {
        request.log.info({ code: ingestError.code, reason: ingestError.message }, 'request refused');
      }
      if (ingestError.statusCode === 503) reply.header('retry-after', String(options.config.retryAfterSeconds));
      return reply.code(ingestError.statusCode).send(ingestError.toBody());
    });
    app.setNotFoundHandler((request, reply) => {
      const error = new IngestError(
        'INGEST_NOT_FOUND',
        `No route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`,
      );
      return reply.code(404).send(error.toBody());
    });
  },
  { name: 'eventline-error-handler' },
);

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
        : new IngestError('INGEST_BAD_REQUEST', 'The request is not valid HTTP');
  this.log.debug({ code: ingestError.code, cause: error.code }, 'connection refused');
  if (socket.writable) {
    const body = JSON.stringify(ingestError.toBody());
    socket.write(
      `HTTP/1.1 ${ingestError.statusCode} ${ingestError.toBody().error}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
