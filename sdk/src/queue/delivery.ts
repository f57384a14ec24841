// The delivery engine: owns the queue, persists it, batches by count, bytes and
// time, sends one request at a time and retries with backoff. `batchSize`
// queued events trigger a send; a request then carries as much of the backlog
// as fits (500 events, 64 KiB), so a burst or a return from offline drains fast. An event leaves
// the queue (and storage) only after a 2xx accepted or rejected it, a 4xx
// refused it, or the size and age caps pushed it out. A beacon of the page does
// not count: its answer is never known, so the event is sent again from here.
import type { Event } from '@eventline/contract';
import { BATCH_EVENTS, EVENT_BYTES } from '../limits.ts';
import type { FlushResult } from '../types.ts';
import type { DeliveryReport, DeliverySettings } from '../worker/protocol.ts';
import type { Sender, SendOutcome } from '../transport/http.ts';
import type { QueueStore, StoredEvent } from './store.ts';
import { envelope, takeBatch, utf8Bytes } from './batch.ts';
import { retryDelay } from './backoff.ts';

/** Records of closed tabs are looked for at most this often after a successful send. 30 s */
export const CLAIM_INTERVAL_MS = 30_000;

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
  /** Resolves once the records of closed tabs are loaded. */
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
  let attempt = 0;
  let retryAt = 0;
  /** Events per request; lowered after a 413 so the next one is smaller. */
  let cap = BATCH_EVENTS;
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

  function schedule(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (stopped || inFlight || queue.length === 0) return;
    const oldest = queue[0]!.at;
    const due = queue.length >= batchSize ? now() : oldest + config.flushInterval;
    const wait = Math.max(0, due - now(), retryAt - now());
    timer = setTimeout(() => void sendNext(), wait);
  }

  /** Sends the next batch; resolves with its outcome (undefined when nothing was sent). */
  function sendNext(): Promise<SendOutcome | undefined> {
    if (inFlight) return inFlight;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    enforceCaps();
    if (stopped || queue.length === 0) return Promise.resolve(undefined);
    const batch = takeBatch(queue, cap);
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

  function settle(batch: StoredEvent[], outcome: SendOutcome): void {
    const ids = batch.map((r) => r.id);
    switch (outcome.kind) {
      case 'ok': {
        attempt = 0;
        retryAt = 0;
        cap = BATCH_EVENTS;
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
        attempt += 1;
        const delay = outcome.after ?? retryDelay(attempt, random);
        retryAt = now() + delay;
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

  const ready = adoptOrphans();

  return {
    ready,
    async enqueue(events) {
      const known = new Set(queue.map((r) => r.id));
      const records: StoredEvent[] = [];
      for (const json of events) {
        const { id } = JSON.parse(json) as Pick<Event, 'id'>;
        if (known.has(id)) continue;
        const bytes = utf8Bytes(json);
        if (bytes > EVENT_BYTES) {
          report({ kind: 'dropped', ids: [id], reason: `event is ${bytes} bytes, over ${EVENT_BYTES}` });
          continue;
        }
        known.add(id);
        records.push({ id, json, bytes, at: stamp(), owner });
      }
      queue.push(...records);
      const stored = persist(store.put(records));
      enforceCaps();
      if (!inFlight) schedule();
      await stored;
    },
    async flush() {
      await ready;
      const before = delivered;
      retryAt = 0;
      while (queue.length > 0 && !stopped) {
        const outcome = await sendNext();
        if (!outcome || outcome.kind === 'retry') break;
      }
      return { delivered: delivered - before, pending: queue.length };
    },
    async clear() {
      queue = [];
      schedule();
      await persist(store.clear());
    },
    async online() {
      retryAt = 0;
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
