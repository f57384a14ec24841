// The delivery engine: owns the queue, persists it, batches by count, bytes and
// time, sends one request at a time and retries with the shared backoff policy
// (@eventline/kit/backoff: full jitter, a cap, a server's Retry-After as a
// floor). `batchSize` queued events trigger a send; a request then carries as
// much of the backlog as fits (500 events, 64 KiB), so a burst or a return from
// offline drains fast. An event leaves the queue (and storage) only after a 2xx
// accepted or rejected it, a 4xx refused it, the size and age caps pushed it
// out, or it was quarantined. A beacon of the page does not count: its answer
// is never known, so the event is sent again from here.
//
// One event the server keeps failing on (a "poison" event) must not hold up the
// rest: a failed batch is halved for the next attempt, so the failure narrows to
// one event; an event that failed on its own is set aside while fresh events go
// first, and it earns a strike when the very next send, without it, succeeds.
// After QUARANTINE_STRIKES strikes it is dropped with a `dropped` report saying
// why. An outage fails every send, so it earns no strike at all.
import type { Event } from '@eventline/contract';
import { backoffDelay, CLIENT_BACKOFF } from '@eventline/kit/backoff';
import { BATCH_EVENTS, EVENT_BYTES } from '../limits.ts';
import type { FlushResult } from '../types.ts';
import type { DeliveryReport, DeliverySettings } from '../worker/protocol.ts';
import type { Sender, SendOutcome } from '../transport/http.ts';
import type { BackoffState, QueueStore, StoredEvent } from './store.ts';
import { envelope, takeBatch, utf8Bytes } from './batch.ts';
import { trimEvent } from './trim.ts';

/** Records of closed tabs are looked for at most this often after a successful send. 30 s */
export const CLAIM_INTERVAL_MS = 30_000;
/** An event that failed on its own this many times, each while the server accepted the next send, is dropped. */
export const QUARANTINE_STRIKES = 5;

export interface DeliveryDeps {
  config: DeliverySettings;
  store: QueueStore;
  sender: Sender;
  /** This instance's id in the shared store. */
  owner: string;
  report: (report: DeliveryReport) => void;
  /** Takes over records of closed tabs; runs at start and when the network returns. */
  claimOrphans: () => Promise<StoredEvent[]>;
  now?: () => number;
  random?: () => number;
  log?: (...args: unknown[]) => void;
}

export interface Delivery {
  /** Resolves once the records of closed tabs and the backoff state are loaded. */
  ready: Promise<void>;
  /** Takes events as JSON text (see DeliveryApi.enqueue). */
  enqueue(events: readonly string[]): Promise<void>;
  flush(): Promise<FlushResult>;
  clear(): Promise<void>;
  online(): Promise<void>;
  stop(): void;
  /** Queued ids, oldest first (for tests and debugging). */
  queued(): string[];
}

/** A report before its `count` is filled in. */
type Uncounted<R> = R extends unknown ? Omit<R, 'count'> : never;

export function createDelivery(deps: DeliveryDeps): Delivery {
  const { config, store, sender, owner } = deps;
  const report = (r: Uncounted<DeliveryReport>): void => {
    if (r.ids.length) deps.report({ ...r, count: r.ids.length } as DeliveryReport);
  };
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const log = deps.log ?? (() => {});
  const batchSize = Math.max(1, Math.min(config.batchSize, BATCH_EVENTS));

  let queue: StoredEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<SendOutcome | undefined> | undefined;
  let backoff: BackoffState = { retryAt: 0, attempt: 0, serverAsked: false };
  /** Events per request; halved after a 413 or a failure, so a bad event is narrowed down. */
  let cap = BATCH_EVENTS;
  /** The event whose failure on its own was the last send, and why it failed. */
  let suspect: { id: string; reason: string } | undefined;
  let delivered = 0;
  let stopped = false;
  let lastClaim = 0;
  let lastAt = 0;
  /** Strictly increasing enqueue times, so capture order survives a reload (storage returns records by id). */
  const stamp = (): number => (lastAt = Math.max(now(), lastAt + 0.001));

  const persist = (work: Promise<void>): Promise<void> => work.catch((error: unknown) => log('storage failed', error));

  function drop(records: readonly StoredEvent[], reason: string): void {
    if (records.length === 0) return;
    const ids = new Set(records.map((r) => r.id));
    queue = queue.filter((r) => !ids.has(r.id));
    void persist(store.remove([...ids]));
    report({ kind: 'dropped', ids: [...ids], reason });
    log(`dropped ${ids.size} event(s): ${reason}`);
  }

  function remove(ids: readonly string[]): Promise<void> {
    const gone = new Set(ids);
    queue = queue.filter((r) => !gone.has(r.id));
    return persist(store.remove(ids));
  }

  function enforceCaps(): void {
    const tooOld = now() - config.maxAge;
    drop(
      queue.filter((r) => r.at < tooOld),
      'older than maxAge',
    );
    if (queue.length > config.maxQueue) drop(queue.slice(0, queue.length - config.maxQueue), 'queue full (maxQueue)');
  }

  function setBackoff(next: BackoffState): void {
    const changed = next.attempt !== backoff.attempt || next.retryAt !== backoff.retryAt;
    backoff = next;
    // Shared with the next page (and the other tabs): they honour the same wait.
    if (changed) void persist(store.saveBackoff(next));
  }

  /** Fresh events in order, up to `cap`; when only set-aside events are left, one of them alone, the fewest strikes first. */
  function nextBatch(): StoredEvent[] {
    const fresh = queue.filter((r) => !r.strikes && r.id !== suspect?.id);
    if (fresh.length) return takeBatch(fresh, cap);
    const others = queue.filter((r) => r.id !== suspect?.id);
    const pool = others.length ? others : queue;
    return [pool.reduce((best, r) => ((r.strikes ?? 0) < (best.strikes ?? 0) ? r : best))];
  }

  function schedule(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (stopped || inFlight || queue.length === 0) return;
    const oldest = queue[0]!.at;
    const due = queue.length >= batchSize ? now() : oldest + config.flushInterval;
    const wait = Math.max(0, due - now(), backoff.retryAt - now());
    timer = setTimeout(() => void sendNext(), wait);
  }

  /** Sends the next batch; resolves with its outcome (undefined when nothing was sent). */
  function sendNext(): Promise<SendOutcome | undefined> {
    if (inFlight) return inFlight;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    enforceCaps();
    if (stopped || queue.length === 0) return Promise.resolve(undefined);
    const batch = nextBatch();
    const ids = batch.map((r) => r.id);
    const body = envelope(
      config.writeKey,
      now(),
      batch.map((r) => r.json),
    );
    const run = async (): Promise<SendOutcome> => {
      let outcome: SendOutcome;
      try {
        outcome = await sender.send(body, () => report({ kind: 'sent', ids }));
      } catch (error) {
        outcome = { kind: 'retry', reason: String(error) };
      }
      log(
        `POST ${batch.length} event(s) → ${outcome.kind}`,
        outcome,
        config.debug ? batch.map((r) => JSON.parse(r.json) as unknown) : '',
      );
      settle(batch, outcome);
      return outcome;
    };
    inFlight = run().finally(() => {
      inFlight = undefined;
      schedule();
    });
    return inFlight;
  }

  /** The set-aside event stayed out of a send the server accepted: one more sign that it is the problem. */
  function strike(id: string, reason: string): void {
    const record = queue.find((r) => r.id === id);
    if (!record) return;
    record.strikes = (record.strikes ?? 0) + 1;
    if (record.strikes >= QUARANTINE_STRIKES)
      drop(
        [record],
        `quarantined: failed ${record.strikes} times on its own (last: ${reason}) while the server accepted other events`,
      );
    else void persist(store.put([record]));
  }

  function settle(batch: StoredEvent[], outcome: SendOutcome): void {
    const ids = batch.map((r) => r.id);
    switch (outcome.kind) {
      case 'ok': {
        setBackoff({ retryAt: 0, attempt: 0, serverAsked: false });
        cap = BATCH_EVENTS;
        if (suspect && !ids.includes(suspect.id)) strike(suspect.id, suspect.reason);
        suspect = undefined;
        const rejected = new Map(outcome.rejected.map((r) => [r.index, r.errors]));
        const accepted = batch.filter((_, i) => !rejected.has(i));
        for (const [index, errors] of rejected) {
          const record = batch[index];
          if (record) report({ kind: 'dropped', ids: [record.id], reason: `rejected: ${JSON.stringify(errors)}` });
        }
        delivered += accepted.length;
        void remove(ids);
        report({ kind: 'delivered', ids: accepted.map((r) => r.id) });
        if (now() - lastClaim > CLAIM_INTERVAL_MS) void adoptOrphans();
        break;
      }
      case 'split':
        if (batch.length > 1) cap = Math.ceil(batch.length / 2);
        else drop(batch, 'HTTP 413: event too large for the server');
        break;
      case 'drop':
        drop(batch, outcome.reason);
        break;
      case 'retry': {
        if (batch.length > 1) cap = Math.ceil(batch.length / 2);
        // Only a server's error answer points at the event; a network failure or a timeout does not.
        suspect =
          batch.length === 1 && (outcome.status ?? 0) >= 500 ? { id: ids[0]!, reason: outcome.reason } : undefined;
        const attempt = backoff.attempt + 1;
        const delay = backoffDelay(CLIENT_BACKOFF, attempt, { retryAfterMs: outcome.after, random });
        setBackoff({ retryAt: now() + delay, attempt, serverAsked: (outcome.after ?? 0) > 0 });
        report({ kind: 'retry', ids, delay, reason: outcome.reason });
        break;
      }
    }
  }

  async function adoptOrphans(): Promise<void> {
    lastClaim = now();
    try {
      const orphans = await deps.claimOrphans();
      const known = new Set(queue.map((r) => r.id));
      const fresh = orphans.filter((r) => !known.has(r.id));
      if (fresh.length) log(`resending ${fresh.length} event(s) left by an earlier page`);
      queue = [...fresh, ...queue].sort((a, b) => a.at - b.at);
    } catch (error) {
      log('could not read stored events', error);
    }
    schedule();
  }

  async function start(): Promise<void> {
    try {
      const saved = await store.loadBackoff();
      // A wait an earlier page (or another tab) was told about still holds; an expired one is history.
      if (saved && saved.retryAt > now()) backoff = saved;
    } catch (error) {
      log('could not read the backoff state', error);
    }
    await adoptOrphans();
  }

  const ready = start();

  return {
    ready,
    async enqueue(events) {
      const known = new Set(queue.map((r) => r.id));
      const records: StoredEvent[] = [];
      for (const original of events) {
        let json = original;
        const { id } = JSON.parse(json) as Pick<Event, 'id'>;
        if (known.has(id)) continue;
        let bytes = utf8Bytes(json);
        if (bytes > EVENT_BYTES) {
          const trimmed = trimEvent(json);
          if (!trimmed) {
            report({ kind: 'dropped', ids: [id], reason: `event is ${bytes} bytes, over ${EVENT_BYTES}` });
            continue;
          }
          log(`event ${id} was ${bytes} bytes, over ${EVENT_BYTES}: sent without its largest properties`);
          json = trimmed;
          bytes = utf8Bytes(json);
        }
        known.add(id);
        records.push({ id, json, bytes, at: stamp(), owner });
      }
      queue.push(...records);
      report({ kind: 'queued', ids: records.map((r) => r.id) });
      const stored = persist(store.put(records));
      enforceCaps();
      if (!inFlight) schedule();
      await stored;
    },
    async flush() {
      await ready;
      const before = delivered;
      // A flush skips the backoff's own wait, never one the server asked for.
      if (!backoff.serverAsked || backoff.retryAt <= now()) {
        backoff = { ...backoff, retryAt: 0 };
        while (queue.length > 0 && !stopped) {
          const outcome = await sendNext();
          if (!outcome || outcome.kind === 'retry') break;
        }
      }
      return { delivered: delivered - before, pending: queue.length, beaconed: 0, timedOut: false };
    },
    async clear() {
      queue = [];
      schedule();
      await persist(store.clear());
    },
    async online() {
      if (!backoff.serverAsked) backoff = { ...backoff, retryAt: 0 };
      await adoptOrphans();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    queued: () => queue.map((r) => r.id),
  };
}
