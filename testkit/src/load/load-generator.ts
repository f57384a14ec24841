// A load generator that speaks the SDK's wire format: many simulated sessions,
// each numbering its events from 0, sending realistic batches to ingest and
// retrying like the SDK (backoff with jitter, Retry-After) until every event is
// acknowledged or the time budget runs out. It records exactly which event ids
// got a 2xx, which is what storage must hold afterwards. Requests go through
// node:http on kept-alive connections: fetch cost the generator about 0.4 ms of
// CPU more per request, enough at overload rates to saturate its own event
// loop, whose delay then lands in every latency it measures.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { Event } from '@eventline/contract';
import { sleep } from '../wait.ts';

export interface LoadOptions {
  /**
   * Base URL of ingest, e.g. http://127.0.0.1:8080, or of several instances: requests take them in turn
   * and a retry goes to the next one, as behind a load balancer that routes around a dead instance.
   */
  ingestUrl: string | readonly string[];
  writeKey: string;
  /** Origin header sent with each request (must be allowed for the key). */
  origin: string;
  totalEvents: number;
  sessions: number;
  /** Events per request, inclusive range. Default: [20, 50] */
  batchSize?: [number, number];
  /**
   * Requests in flight at once. A batch waiting to be retried holds its session but no request, so clients told
   * to come back later do not stop the others from sending, as with a real population. Default: 16
   */
  concurrency?: number;
  /** Upper bound on the send rate, events/s, so a fault can land mid-load. Default: unlimited */
  eventsPerSecond?: number;
  /** Give up retrying after this long. Default: 180 s */
  deadlineMs?: number;
  /** Page of the simulated events. Default: /load */
  path?: string;
  /**
   * Every event of a batch in the same millisecond, as a backend loop, an import
   * or a replay produces them. Default: false (a person's events, 7 ms apart)
   */
  burst?: boolean;
  /**
   * Keep every acknowledged event in `LoadReport.acknowledged` (for an exact count by id). A long run sets
   * false and keeps only `acknowledgedCount`, so its memory does not grow with the events sent. Default: true
   */
  keepAcknowledged?: boolean;
  /** Stop generating new batches after this long; what is generated is still delivered. Default: never */
  generateForMs?: number;
  /** Called with every answered or failed request, e.g. to check what was answered during an outage. */
  onResponse?: (response: LoadResponse) => void;
}

export interface LoadResponse {
  /** When the request was sent and answered (or failed), ms since the epoch. */
  sentAt: number;
  answeredAt: number;
  /** HTTP status, 0 for a network error or timeout. */
  status: number;
  retryAfter: string | null;
  /** Events of the request ingest acknowledged (0 unless 2xx). */
  acknowledged: number;
}

export interface LoadReport {
  /** Events generated and offered to ingest at least once. */
  sent: number;
  /** Events ingest answered 2xx for, by id (empty with `keepAcknowledged: false`). */
  acknowledged: Map<string, Event>;
  /** How many events ingest answered 2xx for. */
  acknowledgedCount: number;
  requests: number;
  /** Responses by status (0 = network error). */
  statuses: Map<number, number>;
  /** Events ingest reported as invalid in a 200 (should be 0 for this generator). */
  rejected: number;
  durationMs: number;
}

const TYPES: Event['type'][] = ['click', 'click', 'click', 'input', 'change', 'pageview', 'custom'];

interface Session {
  anonymousId: string;
  sessionId: string;
  seq: number;
  /** A batch of this session is being sent or retried. */
  busy: boolean;
}

function makeEvent(session: Session, index: number, path: string, timestamp: number): Event {
  const type = TYPES[index % TYPES.length] ?? 'click';
  const event: Event = {
    v: 1,
    id: randomUUID(),
    type,
    name: type === 'custom' ? 'checkout_step' : type,
    timestamp,
    seq: session.seq++,
    anonymousId: session.anonymousId,
    sessionId: session.sessionId,
    page: { url: `http://127.0.0.1${path}?i=${index % 7}`, path, title: 'Load test' },
  };
  if (type === 'click')
    event.element = { tag: 'button', id: `b${index % 12}`, selector: `#b${index % 12}`, text: 'Add to cart' };
  if (type === 'input')
    event.element = {
      tag: 'input',
      name: 'email',
      selector: 'input[name="email"]',
      inputType: 'email',
      valueLength: 12,
      changed: true,
    };
  if (type === 'change')
    event.element = { tag: 'input', id: 'terms', selector: '#terms', inputType: 'checkbox', checked: index % 2 === 0 };
  if (type === 'custom') event.properties = { step: index % 4, plan: 'pro' };
  return event;
}

function retryDelay(attempt: number, retryAfter: string | null): number {
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 10_000);
  const base = Math.min(200 * 2 ** attempt, 5_000);
  return base / 2 + Math.random() * (base / 2);
}

/** An answer, or a network error or timeout (status 0). */
interface Answer {
  status: number;
  retryAfter: string | null;
  body: string;
}

/** A JSON object, or {} for anything else: ingest's answers are JSON, a proxy's might not be. */
function parseObject(text: string): object {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** POSTs `body`; a request unanswered after 15 s, as a network error, counts as failed. */
function post(url: string, body: string, headers: Record<string, string>, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(15_000),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: retryAfter ?? null, body: text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const [minBatch, maxBatch] = options.batchSize ?? [20, 50];
  const concurrency = options.concurrency ?? 16;
  if (!(options.sessions >= 1 && concurrency >= 1))
    throw new RangeError('runLoad needs at least one session and one request slot');
  const deadline = Date.now() + (options.deadlineMs ?? 180_000);
  const path = options.path ?? '/load';
  const sessions: Session[] = Array.from({ length: options.sessions }, () => ({
    anonymousId: `anon-${randomUUID()}`,
    sessionId: `sess-${randomUUID()}`,
    seq: 0,
    busy: false,
  }));
  const report: LoadReport = {
    sent: 0,
    acknowledged: new Map(),
    acknowledgedCount: 0,
    requests: 0,
    statuses: new Map(),
    rejected: 0,
    durationMs: 0,
  };
  const started = Date.now();
  let generated = 0;
  let batchIndex = 0;

  let nextSession = 0;
  let busySessions = 0;
  // One session's batch is sent and retried to completion before its next batch, as the SDK's queue does:
  // sessions are taken round-robin, skipping those with a batch in flight or waiting for a retry. Called only
  // while a session is free (freeSession).
  const nextBatch = (): { session: Session; events: Event[] } | undefined => {
    if (generated >= options.totalEvents) return undefined;
    if (options.generateForMs !== undefined && Date.now() - started >= options.generateForMs) return undefined;
    const size = Math.min(options.totalEvents - generated, minBatch + (batchIndex++ % (maxBatch - minBatch + 1)));
    let session = sessions[nextSession++ % sessions.length]!;
    while (session.busy) session = sessions[nextSession++ % sessions.length]!;
    session.busy = true;
    busySessions++;
    const now = Date.now();
    const spacingMs = options.burst ? 0 : 7;
    const events = Array.from({ length: size }, (_, i) =>
      makeEvent(session, generated + i, path, now - (size - 1 - i) * spacingMs),
    );
    generated += size;
    report.sent += size;
    return { session, events };
  };
  const sessionFreed: Array<() => void> = [];
  const freeSession = async (): Promise<void> => {
    while (busySessions >= sessions.length) await new Promise<void>((resolve) => sessionFreed.push(resolve));
  };
  const release = (session: Session): void => {
    session.busy = false;
    busySessions--;
    sessionFreed.shift()?.();
  };

  // Request slots: `concurrency` requests in flight at most, handed over in turn to whoever waits.
  let freeSlots = concurrency;
  const slotWaiters: Array<() => void> = [];
  const takeSlot = async (): Promise<void> => {
    if (freeSlots > 0) freeSlots--;
    else await new Promise<void>((resolve) => slotWaiters.push(resolve));
  };
  const giveSlot = (): void => {
    const next = slotWaiters.shift();
    if (next) next();
    else freeSlots++;
  };

  const ingestUrls = typeof options.ingestUrl === 'string' ? [options.ingestUrl] : options.ingestUrl;
  // One kept-alive connection per request in flight, for each ingest instance.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let nextIngest = 0;
  /** Sends a batch until it is answered for good or the deadline passed; each retry takes a request slot (the first attempt comes with one). */
  const deliver = async (events: Event[]): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        if (Date.now() >= deadline) return;
        await takeSlot();
      }
      report.requests++;
      let status = 0;
      let retryAfter: string | null = null;
      let acknowledged = 0;
      const sentAt = Date.now();
      try {
        const ingestUrl = ingestUrls[nextIngest++ % ingestUrls.length];
        const response = await post(
          `${ingestUrl}/v1/batch?writeKey=${encodeURIComponent(options.writeKey)}`,
          JSON.stringify({ sentAt: Date.now(), events }),
          { 'content-type': 'text/plain', origin: options.origin },
          agent,
        );
        status = response.status;
        retryAfter = response.retryAfter;
        if (status >= 200 && status < 300) {
          const body = parseObject(response.body) as { rejected?: { index: number }[] };
          const rejected = new Set((body.rejected ?? []).map((r) => r.index));
          report.rejected += rejected.size;
          acknowledged = events.length - rejected.size;
          report.acknowledgedCount += acknowledged;
          if (options.keepAcknowledged !== false) {
            events.forEach((event, index) => {
              if (!rejected.has(index)) report.acknowledged.set(event.id, event);
            });
          }
        }
      } catch {
        status = 0;
      } finally {
        giveSlot();
      }
      report.statuses.set(status, (report.statuses.get(status) ?? 0) + 1);
      options.onResponse?.({ sentAt, answeredAt: Date.now(), status, retryAfter, acknowledged });
      if (status >= 200 && status < 300) return;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) return;
      await sleep(retryDelay(attempt, retryAfter));
    }
  };

  // Makes a batch whenever a session and a request slot are free (and the rate allows), and sends it without
  // waiting for its answer. The slot is taken last, so none is held while waiting for a session: the retries that
  // free sessions need slots.
  const deliveries = new Set<Promise<void>>();
  for (;;) {
    if (options.eventsPerSecond) {
      const due = started + (generated / options.eventsPerSecond) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    await freeSession();
    await takeSlot();
    const batch = nextBatch();
    if (!batch) {
      giveSlot();
      break;
    }
    const delivery = deliver(batch.events).finally(() => {
      release(batch.session);
      deliveries.delete(delivery);
    });
    deliveries.add(delivery);
  }
  await Promise.all(deliveries).finally(() => agent.destroy());
  report.durationMs = Date.now() - started;
  return report;
}
