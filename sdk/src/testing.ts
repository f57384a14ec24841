// @eventline/sdk/testing: a test kit for sites. An in-memory transport that
// answers like ingest and keeps what it received (deduplicated by id, as
// storage does), and a recorder of what the SDK captured, from its reports;
// both with a filter by example (`{ type: 'click', element: { id: 'buy' } }`).
// Nothing leaves the page: pass `memory.transport` as the `transport` option.
import { onReport } from './report.ts';
import type { CapturedEvent, Transport } from './types.ts';

/** A partial event: every field given must match, nested objects field by field. */
export type EventPattern = {
  [K in keyof CapturedEvent]?: CapturedEvent[K] extends object | undefined
    ? Partial<NonNullable<CapturedEvent[K]>>
    : CapturedEvent[K];
};

export type EventFilter = EventPattern | ((event: CapturedEvent) => boolean);

/** One request as the transport received it. */
export interface ReceivedRequest {
  url: string;
  /** True for beacons and keepalive fetches. */
  keepalive: boolean;
  /** The status answered. */
  status: number;
  events: CapturedEvent[];
}

export interface MemoryTransport {
  /** Pass as the `transport` option of `init`. */
  transport: Transport;
  /** Every request, in order, bodies decoded (gzip included). */
  requests: ReceivedRequest[];
  /** Events received with a 2xx answer, each id once, in arrival order, matching `filter` if given. */
  events(filter?: EventFilter): CapturedEvent[];
  /** Answers the next `count` requests with `status` (and `Retry-After` in seconds), as an outage would. */
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  /** Resolves with the matching events once at least `count` (default 1) have been received; rejects after `timeoutMs` (default 5000). */
  waitFor(filter: EventFilter, count?: number, timeoutMs?: number): Promise<CapturedEvent[]>;
  /** Forgets every request and event. */
  clear(): void;
}

export interface CaptureRecorder {
  /** Events the SDK captured since the recorder started (before delivery), matching `filter` if given; throws when the SDK runs without `debug`. */
  events(filter?: EventFilter): CapturedEvent[];
  /** Stops recording. */
  stop(): void;
}

/** Whether `value` matches `pattern`: equal, or for objects every field of the pattern matching. */
function like(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return Object.is(value, pattern);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([key, expected]) => like((value as Record<string, unknown>)[key], expected));
}

const select = (events: CapturedEvent[], filter?: EventFilter): CapturedEvent[] =>
  filter ? events.filter(typeof filter === 'function' ? filter : (e) => like(e, filter)) : [...events];

async function text(body: string | Uint8Array): Promise<string> {
  if (typeof body === 'string') return body;
  const stream = new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

export function memoryTransport(): MemoryTransport {
  const requests: ReceivedRequest[] = [];
  const received = new Map<string, CapturedEvent>();
  const failures: Array<{ status: number; retryAfter?: string }> = [];
  const waiters = new Set<() => void>();
  const memory: MemoryTransport = {
    requests,
    async transport(request) {
      const { events } = JSON.parse(await text(request.body)) as { events: CapturedEvent[] };
      const failure = failures.shift();
      const status = failure?.status ?? 200;
      requests.push({ url: request.url, keepalive: request.keepalive, status, events });
      if (failure)
        return { status, retryAfter: failure.retryAfter ?? null, body: { code: 'MEMORY_TRANSPORT_FAILURE' } };
      for (const event of events) if (!received.has(event.id)) received.set(event.id, event);
      for (const wake of waiters) wake();
      return { status, body: { accepted: events.length, rejected: [], serverTime: Date.now() } };
    },
    events: (filter) => select([...received.values()], filter),
    failNext(count, status, retryAfterSeconds) {
      const retryAfter = retryAfterSeconds === undefined ? {} : { retryAfter: String(retryAfterSeconds) };
      for (let i = 0; i < count; i++) failures.push({ status, ...retryAfter });
    },
    waitFor(filter, count = 1, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = memory.events(filter);
          if (found.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fewer than ${count} matching event(s) received within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    clear() {
      requests.length = 0;
      received.clear();
    },
  };
  return memory;
}

/**
 * Records every event the SDK captures from now on (its `captured` reports), even before init and without a
 * transport. Reports carry whole events only in debug mode, so the SDK must be started with `debug: true`.
 */
export function recordCaptured(): CaptureRecorder {
  const captured: CapturedEvent[] = [];
  let withoutEvent = false;
  const stop = onReport((report) => {
    if (report.kind !== 'captured') return;
    if (report.event) captured.push(report.event);
    else withoutEvent = true;
  });
  return {
    events(filter) {
      if (withoutEvent)
        throw new Error('recordCaptured() needs init({ debug: true }): only then do reports carry events');
      return select(captured, filter);
    },
    stop,
  };
}
