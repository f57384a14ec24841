// Maps one Segment message onto the Eventline event the pipeline stores
// (the table in ingest/README.md says field by field what goes where and what
// is ignored). The mapping is deterministic: the same message always gives the
// same event, id included, so a message a client resends overwrites itself.
import { createHash } from 'node:crypto';
import {
  CONTRACT_VERSION,
  readableErrors,
  validateStoredEvent,
  type Page,
  type Properties,
  type StoredEvent,
  type StoredEventType,
  type ValidationIssue,
} from '@eventline/contract';
import { Compile } from 'typebox/compile';
import { SegmentMessageSchema, type SegmentCall, type SegmentMessage } from './segment-schemas.ts';

export interface MappingContext {
  /** Server clock when the request arrived, epoch ms: the time of a message that carries none. */
  receivedAt: number;
  /** The call the endpoint names (`/v1/track`, `/t`); a message sent there may leave out its `type`. */
  call?: SegmentCall;
  /** A batch's own `context`, under which each message's context is laid. */
  batchContext?: Record<string, unknown>;
}

export interface MappedMessage {
  event: StoredEvent;
  /** The message's own `sentAt`, epoch ms (single calls carry one; a batch has one for all). */
  sentAt?: number;
  /** `context.userAgent`: the device the event happened on, which need not be the sender of the request. */
  userAgent?: string;
}

export type Mapping = { ok: true; value: MappedMessage } | { ok: false; issues: ValidationIssue[] };

const TYPE_OF_CALL: Record<SegmentCall, StoredEventType> = {
  track: 'custom',
  page: 'pageview',
  screen: 'screen',
  identify: 'identify',
  group: 'group',
  alias: 'alias',
};

/** A messageId that already is a valid Eventline id is kept as it is, so both systems name the event alike. */
const EVENT_ID = /^[A-Za-z0-9_-]{16,64}$/;
/** `sg-` and 43 characters of base64url SHA-256: URL-safe, within the id limits. */
const DERIVED_ID_PREFIX = 'sg-';

const checkMessage = Compile(SegmentMessageSchema);

export function toStoredEvent(raw: unknown, context: MappingContext): Mapping {
  const candidate = withoutNulls(raw);
  if (!checkMessage.Check(candidate)) {
    return {
      ok: false,
      issues: readableErrors(checkMessage.Errors(candidate)).map((e) => ({
        path: e.instancePath,
        message: e.message,
      })),
    };
  }
  const message = candidate;
  const issues: ValidationIssue[] = [];
  const call = message.type ?? context.call;
  if (call === undefined) issues.push({ path: '/type', message: 'is required' });
  else if (context.call !== undefined && call !== context.call)
    issues.push({ path: '/type', message: `must be "${context.call}" at this endpoint` });
  if (message.userId === undefined && message.anonymousId === undefined)
    issues.push({ path: '', message: 'must have a userId or an anonymousId' });
  if (call === 'track' && message.event === undefined) issues.push({ path: '/event', message: 'is required' });
  if (call === 'group' && message.groupId === undefined) issues.push({ path: '/groupId', message: 'is required' });
  if (call === 'alias' && message.previousId === undefined)
    issues.push({ path: '/previousId', message: 'is required' });
  const timestamp = time(message.timestamp ?? message.originalTimestamp, context.receivedAt);
  if (Number.isNaN(timestamp)) {
    const path = message.timestamp !== undefined ? '/timestamp' : '/originalTimestamp';
    issues.push({ path, message: 'must be an ISO 8601 date-time' });
  }
  const sentAt = message.sentAt === undefined ? undefined : time(message.sentAt, NaN);
  if (sentAt !== undefined && Number.isNaN(sentAt))
    issues.push({ path: '/sentAt', message: 'must be an ISO 8601 date-time' });
  if (issues.length > 0 || call === undefined) return { ok: false, issues };

  const messageContext = { ...context.batchContext, ...message.context };
  const userId = message.userId === undefined ? undefined : String(message.userId);
  const event: StoredEvent = {
    v: CONTRACT_VERSION,
    id: eventId(message, raw),
    type: TYPE_OF_CALL[call],
    name: nameOf(call, message),
    timestamp,
    // Eventline keys and counts by anonymousId; a message with only a userId is its user's own stream.
    anonymousId: String(message.anonymousId ?? userId),
  };
  if (userId !== undefined) event.userId = userId;
  const page = pageOf(call, message, messageContext);
  if (page) event.page = page;
  const properties = propertiesOf(call, message);
  if (properties) event.properties = properties;

  const validation = validateStoredEvent(event);
  if (!validation.ok) return { ok: false, issues: validation.issues.map((issue) => inMessage(issue, call)) };
  const mapped: MappedMessage = { event: validation.value };
  if (sentAt !== undefined) mapped.sentAt = sentAt;
  if (typeof messageContext['userAgent'] === 'string') mapped.userAgent = messageContext['userAgent'];
  return { ok: true, value: mapped };
}

/** Segment's clients send absent values as null (analytics-next: `userId: null`, `category: null`). */
function withoutNulls(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
}

/** Epoch ms of an ISO date-time; `fallback` when absent, NaN when unreadable. */
function time(iso: string | undefined, fallback: number): number {
  if (iso === undefined) return fallback;
  // Date.parse also reads forms like "2026" or "Sunday"; the spec sends ISO 8601 date-times.
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) return NaN;
  const ms = Date.parse(iso);
  return ms >= 0 ? ms : NaN;
}

/**
 * The messageId when it is a valid Eventline id, else a digest of it; without a
 * messageId, a digest of the whole message, which a client resends unchanged.
 */
function eventId(message: SegmentMessage, raw: unknown): string {
  if (message.messageId !== undefined && EVENT_ID.test(message.messageId)) return message.messageId;
  const source = message.messageId !== undefined ? `messageId:${message.messageId}` : `message:${JSON.stringify(raw)}`;
  return DERIVED_ID_PREFIX + createHash('sha256').update(source).digest('base64url');
}

function nameOf(call: SegmentCall, message: SegmentMessage): string {
  switch (call) {
    case 'track':
      return message.event ?? call;
    case 'page':
      return message.name || 'pageview';
    case 'screen':
      return message.name || 'screen';
    default:
      return call;
  }
}

function propertiesOf(call: SegmentCall, message: SegmentMessage): Properties | undefined {
  let source: Record<string, unknown> | undefined;
  switch (call) {
    case 'identify':
      source = message.traits;
      break;
    case 'group':
      source = { ...message.traits, groupId: String(message.groupId) };
      break;
    case 'alias':
      source = { previousId: String(message.previousId) };
      break;
    default:
      source =
        message.category === undefined ? message.properties : { category: message.category, ...message.properties };
  }
  if (source === undefined) return undefined;
  const flat = flatten(source);
  return Object.keys(flat).length > 0 ? flat : undefined;
}

/**
 * Eventline properties are flat: nested objects become dotted keys
 * (`address.city`), arrays their JSON text; the contract's limits then apply.
 */
function flatten(source: Record<string, unknown>, prefix = '', into: Properties = {}): Properties {
  for (const [key, value] of Object.entries(source)) {
    const name = prefix + key;
    if (value === undefined) continue;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      into[name] = value;
    else if (Array.isArray(value)) into[name] = JSON.stringify(value);
    else if (typeof value === 'object') flatten(value as Record<string, unknown>, `${name}.`, into);
  }
  return into;
}

/** `context.page`, or for a page call its properties, as the spec allows either; no URL, no page. */
function pageOf(call: SegmentCall, message: SegmentMessage, context: Record<string, unknown>): Page | undefined {
  const fromContext = isObject(context['page']) ? context['page'] : {};
  const fromProperties = call === 'page' && message.properties ? message.properties : {};
  const read = (key: string): string | undefined => {
    const value = fromContext[key] ?? fromProperties[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const url = read('url');
  if (url === undefined) return undefined;
  const page: Page = { url, path: read('path') ?? pathOf(url) };
  const title = read('title');
  if (title !== undefined) page.title = title;
  const referrer = read('referrer');
  if (referrer !== undefined) page.referrer = referrer;
  return page;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where in the Segment message a problem of the mapped event lies, so the client can find it. */
function inMessage(issue: ValidationIssue, call: SegmentCall): ValidationIssue {
  const [, field = '', ...rest] = issue.path.split('/');
  const tail = rest.length > 0 ? `/${rest.join('/')}` : '';
  const segmentField: Record<string, string> = {
    id: 'messageId',
    name: call === 'track' ? 'event' : 'name',
    page: 'context/page',
    properties: call === 'identify' || call === 'group' ? 'traits' : 'properties',
  };
  return { path: field === '' ? '' : `/${segmentField[field] ?? field}${tail}`, message: issue.message };
}
