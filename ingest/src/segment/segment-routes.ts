// The Segment-compatible tracking API, so `@segment/analytics-node` and
// `@segment/analytics-next` send to Eventline unchanged: the HTTP API's
// `/v1/batch` and single calls (`/v1/track` …) and analytics-next's short paths
// (`/t` … `/b`) under `{pathPrefix}{segmentPath}`. Messages are mapped onto the
// event contract (to-stored-event.ts) and produced like the SDK's events; the
// answer waits for Kafka, and its status tells Segment's clients whether to retry
// (5xx and 429 they retry, other 4xx they drop).
import type { FastifyPluginAsync, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { formatIssues, type ValidationIssue } from '@eventline/contract';
import type { IngestConfig, WriteKey } from '../config.ts';
import { createContentDecoder } from '../content-encoding.ts';
import { createBatchEnricher } from '../enrich.ts';
import { IngestError } from '../errors.ts';
import type { SinkMessage } from '../kafka/event-sink.ts';
import { registerEventRouteGuards } from '../plugins/event-route-guards.ts';
import { createMessageBuilder, produceEvents } from '../produce-events.ts';
import { ErrorResponseSchema } from '../schemas.ts';
import type { UserAgentParser } from '../user-agent.ts';
import type { WriteKeyRegistry } from '../write-keys.ts';
import { writeKeyFromBasicAuth } from './basic-auth.ts';
import {
  SegmentBatchSchema,
  SegmentResponseSchema,
  type SegmentCall,
  type SegmentResponse,
} from './segment-schemas.ts';
import { toStoredEvent } from './to-stored-event.ts';

export interface SegmentRouteOptions {
  config: IngestConfig;
  writeKeys: WriteKeyRegistry;
  userAgents: UserAgentParser;
}

/** Each call's HTTP API path and analytics-next's short path for it. */
const SINGLE_CALLS: readonly { call: SegmentCall; short: string }[] = [
  { call: 'track', short: '/t' },
  { call: 'page', short: '/p' },
  { call: 'screen', short: '/s' },
  { call: 'identify', short: '/i' },
  { call: 'group', short: '/g' },
  { call: 'alias', short: '/a' },
];

const MISSING_KEY_MESSAGE = 'No write key: send it as the Basic auth username or as "writeKey" in the body';

interface Received {
  messages: readonly unknown[];
  writeKey: string | undefined;
  sentAt: string | undefined;
  context: Record<string, unknown> | undefined;
  /** The call the endpoint names, for single calls. */
  call?: SegmentCall;
}

export const segmentRoutes: FastifyPluginAsync<SegmentRouteOptions> = async (
  app,
  { config, writeKeys, userAgents },
) => {
  // analytics-next posts text/plain to stay clear of preflights it cannot avoid anyway (it sends Authorization).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  await registerEventRouteGuards(app, {
    config,
    allowedHeaders: ['Content-Type', 'Content-Encoding', 'Authorization', 'X-Retry-Count', 'X-Request-Id'],
    // A preflight carries no key (the Authorization header is what it asks about):
    // any key's origin may preflight, and the POST enforces the key's own list.
    allowsOrigin: (_request, origin) => writeKeys.anyAllows(origin),
  });

  /** Refuses an unknown key in the Authorization header before the body is read. */
  const checkHeaderKey: preParsingAsyncHookHandler = async (request, _reply, payload) => {
    const key = writeKeyFromBasicAuth(request.headers.authorization);
    if (key !== undefined) {
      const entry = writeKeys.lookup(key);
      if (!entry) throw new IngestError('INGEST_UNKNOWN_WRITE_KEY');
      writeKeys.checkOrigin(entry, request.headers.origin);
    }
    return payload;
  };

  function resolveWriteKey(request: FastifyRequest, fromBody: string | undefined): WriteKey {
    const fromHeader = writeKeyFromBasicAuth(request.headers.authorization);
    if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody)
      throw new IngestError('INGEST_WRITE_KEY_CONFLICT');
    const key = fromHeader ?? fromBody;
    if (key === undefined) throw new IngestError('INGEST_MISSING_WRITE_KEY', MISSING_KEY_MESSAGE);
    const entry = writeKeys.lookup(key);
    if (!entry) throw new IngestError('INGEST_UNKNOWN_WRITE_KEY');
    writeKeys.checkOrigin(entry, request.headers.origin);
    return entry;
  }

  async function accept(request: FastifyRequest, received: Received): Promise<SegmentResponse> {
    const receivedAt = Date.now();
    const writeKey = resolveWriteKey(request, received.writeKey);
    if (received.messages.length > config.maxEvents) {
      throw new IngestError(
        'INGEST_TOO_MANY_EVENTS',
        `The batch has ${received.messages.length} messages; at most ${config.maxEvents} are allowed`,
      );
    }
    const batchSentAt = received.sentAt === undefined ? undefined : Date.parse(received.sentAt);
    if (batchSentAt !== undefined && Number.isNaN(batchSentAt))
      throw new IngestError('INGEST_INVALID_BATCH', 'body/sentAt must be an ISO 8601 date-time');
    const toMessage = createMessageBuilder({ site: writeKey.site, maxEventBytes: config.maxEventBytes });
    const requestAgent = request.headers['user-agent'];
    const messages: SinkMessage[] = [];
    const rejected: SegmentResponse['rejected'] = [];
    for (const [index, candidate] of received.messages.entries()) {
      const mapped = toStoredEvent(candidate, {
        receivedAt,
        ...(received.call && { call: received.call }),
        ...(received.context && { batchContext: received.context }),
      });
      if (!mapped.ok) {
        rejected.push({ index, ...messageIdOf(candidate), errors: mapped.issues });
        continue;
      }
      const { event, sentAt, userAgent } = mapped.value;
      const enrich = createBatchEnricher({
        site: writeKey.site,
        receivedAt,
        sentAt: sentAt ?? batchSentAt ?? receivedAt,
        userAgent: userAgents.parse(userAgent ?? requestAgent),
      });
      try {
        messages.push(toMessage(event, enrich(event), index));
      } catch (error) {
        // A client drops a whole batch answered with a 4xx: one oversized message must not take the others with it.
        if (received.call !== undefined || !(error instanceof IngestError)) throw error;
        rejected.push({ index, ...messageIdOf(candidate), errors: [{ path: '', message: error.message }] });
      }
    }
    if (rejected.length > 0) app.metrics.eventsRejected.inc({ reason: 'invalid' }, rejected.length);
    // A single call is one message: refusing it is the request's answer, as a 4xx Segment's clients do not resend.
    if (received.call !== undefined && rejected[0] !== undefined)
      throw new IngestError('INGEST_INVALID_MESSAGE', describe(rejected[0].errors));
    await produceEvents(app, writeKey.site, messages);
    return { success: true, accepted: messages.length, rejected };
  }

  const routeOptions = {
    bodyLimit: config.bodyLimitBytes,
    config: { rateLimit: { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs } },
    preParsing: [checkHeaderKey, createContentDecoder(config.bodyLimitBytes)],
  };
  const responses = { 200: SegmentResponseSchema, '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };

  for (const url of ['/v1/batch', '/b']) {
    app.withTypeProvider<TypeBoxTypeProvider>().post(
      url,
      {
        ...routeOptions,
        schema: {
          summary: 'Send a batch of Segment messages',
          description:
            'The Segment HTTP API batch call (`@segment/analytics-node` posts here; analytics-next posts to `/b` when batching). Write key as the Basic auth username or `writeKey` in the body. Each message is mapped and validated on its own: invalid ones are listed in `rejected`, the rest are written to Kafka before the answer.',
          tags: ['segment'],
          body: SegmentBatchSchema,
          response: responses,
        },
      },
      async (request) =>
        accept(request, {
          messages: request.body.batch,
          writeKey: request.body.writeKey,
          sentAt: request.body.sentAt,
          context: request.body.context,
        }),
    );
  }

  for (const { call, short } of SINGLE_CALLS) {
    for (const url of [`/v1/${call}`, short]) {
      app.post(
        url,
        {
          ...routeOptions,
          schema: {
            summary: `Send one Segment ${call} call`,
            description: `One Segment \`${call}\` message as the body (\`type\` may be left out). Answers 400 \`INGEST_INVALID_MESSAGE\` naming the problem when the message cannot be mapped or validated.`,
            tags: ['segment'],
            response: responses,
          },
        },
        async (request) => {
          const body = request.body;
          if (body === null || typeof body !== 'object' || Array.isArray(body))
            throw new IngestError('INGEST_INVALID_MESSAGE', 'The body must be a JSON object: one Segment message');
          const { writeKey } = body as { writeKey?: unknown };
          if (writeKey !== undefined && (typeof writeKey !== 'string' || writeKey === ''))
            throw new IngestError('INGEST_INVALID_MESSAGE', '/writeKey must be a non-empty string');
          return accept(request, { messages: [body], writeKey, sentAt: undefined, context: undefined, call });
        },
      );
    }
  }
};

function messageIdOf(candidate: unknown): { messageId?: string } {
  const id = (candidate as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? { messageId: id.slice(0, 256) } : {};
}

function describe(issues: readonly ValidationIssue[]): string {
  return formatIssues(issues).slice(0, 1000);
}
