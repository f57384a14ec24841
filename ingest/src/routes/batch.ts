// POST {prefix}/v1/batch: the SDK's batches. The envelope is validated by the
// contract's BatchSchema, each event on its own by its EventSchema; valid
// events are enriched and produced, and the answer waits for Kafka's
// acknowledgement of exactly those events. Nothing here answers 2xx for an
// event Kafka does not have.
import type { FastifyPluginAsync, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BatchSchema, validateEvent } from '@eventline/contract';
import type { IngestConfig, WriteKey } from '../config.ts';
import { createContentDecoder } from '../content-encoding.ts';
import { createBatchEnricher } from '../enrich.ts';
import { IngestError } from '../errors.ts';
import type { SinkMessage } from '../kafka/event-sink.ts';
import { registerEventRouteGuards } from '../plugins/event-route-guards.ts';
import { createMessageBuilder, produceEvents } from '../produce-events.ts';
import { BatchResponseSchema, ErrorResponseSchema, WriteKeyQuerySchema, type BatchResponse } from '../schemas.ts';
import type { UserAgentParser } from '../user-agent.ts';
import type { WriteKeyRegistry } from '../write-keys.ts';

export interface BatchRouteOptions {
  config: IngestConfig;
  writeKeys: WriteKeyRegistry;
  userAgents: UserAgentParser;
}

function queryKey(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.['writeKey'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const batchRoutes: FastifyPluginAsync<BatchRouteOptions> = async (app, { config, writeKeys, userAgents }) => {
  // sendBeacon posts text/plain: its body is the same JSON, parsed as strictly.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  await registerEventRouteGuards(app, {
    config,
    allowedHeaders: ['Content-Type', 'Content-Encoding', 'X-Request-Id'],
    // A preflight names the key in its URL; when it does not (key in the body),
    // any key's origin may preflight and the POST itself enforces the key's own list.
    allowsOrigin: (request, origin) => {
      const key = queryKey(request);
      if (key === undefined) return writeKeys.anyAllows(origin);
      const entry = writeKeys.lookup(key);
      return entry !== undefined && writeKeys.allows(entry, origin);
    },
  });

  /** Refuses unknown keys and foreign origins before the body is read (but after rate limiting, an onRequest hook). */
  const checkQueryKey: preParsingAsyncHookHandler = async (request, _reply, payload) => {
    const key = queryKey(request);
    if (key === undefined) return payload;
    const entry = writeKeys.lookup(key);
    if (!entry) throw new IngestError('INGEST_UNKNOWN_WRITE_KEY');
    writeKeys.checkOrigin(entry, request.headers.origin);
    return payload;
  };

  function resolveWriteKey(fromQuery: string | undefined, fromBody: string | undefined): WriteKey {
    if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody)
      throw new IngestError('INGEST_WRITE_KEY_CONFLICT');
    const key = fromQuery ?? fromBody;
    if (key === undefined) throw new IngestError('INGEST_MISSING_WRITE_KEY');
    const entry = writeKeys.lookup(key);
    if (!entry) throw new IngestError('INGEST_UNKNOWN_WRITE_KEY');
    return entry;
  }

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/v1/batch',
    {
      bodyLimit: config.bodyLimitBytes,
      config: { rateLimit: { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs } },
      preParsing: [checkQueryKey, createContentDecoder(config.bodyLimitBytes)],
      schema: {
        summary: 'Send a batch of events',
        description:
          'Accepts `application/json` or `text/plain` (sendBeacon), optionally gzip-encoded. Each event is validated against the `Event` schema on its own: invalid ones are listed in `rejected`, valid ones are written to Kafka before the answer.',
        querystring: WriteKeyQuerySchema,
        body: BatchSchema,
        response: { 200: BatchResponseSchema, '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema },
      },
    },
    async (request): Promise<BatchResponse> => {
      const receivedAt = Date.now();
      const batch = request.body;
      const writeKey = resolveWriteKey(request.query.writeKey, batch.writeKey);
      writeKeys.checkOrigin(writeKey, request.headers.origin);
      if (batch.events.length > config.maxEvents) {
        throw new IngestError(
          'INGEST_TOO_MANY_EVENTS',
          `${batch.events.length} events; at most ${config.maxEvents} are allowed`,
        );
      }
      const enrich = createBatchEnricher({
        site: writeKey.site,
        receivedAt,
        sentAt: batch.sentAt,
        userAgent: userAgents.parse(request.headers['user-agent']),
      });
      const toMessage = createMessageBuilder({ site: writeKey.site, maxEventBytes: config.maxEventBytes });
      const messages: SinkMessage[] = [];
      const rejected: BatchResponse['rejected'] = [];
      for (const [index, candidate] of batch.events.entries()) {
        const result = validateEvent(candidate);
        if (!result.ok) {
          rejected.push({ index, errors: result.issues });
          continue;
        }
        messages.push(toMessage(result.value, enrich(result.value), index));
      }
      if (rejected.length > 0) app.metrics.eventsRejected.inc({ reason: 'invalid' }, rejected.length);
      await produceEvents(app, writeKey.site, messages);
      return { accepted: messages.length, rejected, serverTime: Date.now() };
    },
  );
};
