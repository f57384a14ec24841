// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sampleEvent } from '@eventline/contract/testing';
import { TRIMMED_PROPERTY, validateEvent, type Event } from '@eventline/contract';
import { createDelivery, type DeliveryDeps } from '../../src/queue/delivery.ts';
import { memoryStore, type QueueStore, type StoredEvent } from '../../src/queue/store.ts';
import { DELIVERY_DEFAULTS } from '../../src/defaults.ts';
import type { SendOutcome } from '../../src/transport/http.ts';
import type { DeliveryReport } from '../../src/worker/protocol.ts';

interface Sent {
  body: { writeKey: string; sentAt: number; events: Event[] };
}

function setup(
  options: {
    outcomes?: SendOutcome[];
    config?: Partial<DeliveryDeps['config']>;
    store?: QueueStore;
    orphans?: StoredEvent[];
    /** Answers each request from its events instead of `outcomes`. */
    answer?: (events: Event[]) => SendOutcome;
    random?: () => number;
  } = {},
) {
  const outcomes = [...(options.outcomes ?? [])];
  const orphans = [...(options.orphans ?? [])];
  const sent: Sent[] = [];
  const reports: DeliveryReport[] = [];
  const store = options.store ?? memoryStore();
  const delivery = createDelivery({
    config: { ...DELIVERY_DEFAULTS, url: 'u', writeKey: 'key', ...options.config },
    store,
    owner: 'me',
    report: (r) => reports.push(r),
    sender: {
      async send(body, dispatched) {
        const parsed = JSON.parse(body) as Sent['body'];
        sent.push({ body: parsed });
        dispatched();
        return options.answer?.(parsed.events) ?? outcomes.shift() ?? { kind: 'ok', rejected: [] };
      },
    },
    // Like a store: a record is taken over once.
    claimOrphans: async () => orphans.splice(0),
    random: options.random ?? (() => 0),
  });
  const events = (n: number, extra: Partial<Event> = {}) =>
    Array.from({ length: n }, (_, i) => sampleEvent({ seq: i, ...extra }));
  const enqueue = (list: Event[]) => delivery.enqueue(list.map((e) => JSON.stringify(e)));
  return { delivery, sent, reports, store, events, enqueue, ids: (list: Event[]) => list.map((e) => e.id) };
}

const events0 = (n: number, extra: Partial<Event> = {}): Event[] =>
  Array.from({ length: n }, (_, i) => sampleEvent({ seq: i, ...extra }));

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('delivery queue', () => {
  it('sends as soon as batchSize events are queued, and fewer after flushInterval', async () => {
    const { delivery, sent, enqueue, events } = setup({ config: { batchSize: 3, flushInterval: 1_000 } });
    await delivery.ready;
    await enqueue(events(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([]);
    await enqueue(events(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.body.events.length)).toEqual([3]);
    await enqueue(events(1));
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((s) => s.body.events.length)).toEqual([3, 1]);
    expect(delivery.queued()).toEqual([]);
  });

  it('drains a backlog in requests as large as the limits allow, not batchSize at a time', async () => {
    const { delivery, sent, enqueue, events } = setup({ config: { batchSize: 20, maxQueue: 2_000 } });
    const backlog = events(1_200);
    await enqueue(backlog);
    await delivery.flush();
    expect(sent.length).toBeLessThan(1_200 / 20 / 5);
    for (const { body } of sent) {
      expect(body.events.length).toBeLessThanOrEqual(500);
      expect(new TextEncoder().encode(JSON.stringify(body)).length).toBeLessThanOrEqual(64 * 1024);
    }
    expect(sent.flatMap((s) => s.body.events)).toEqual(backlog);
  });

  it('sends events in capture order with the write key and sentAt in the envelope', async () => {
    const { delivery, sent, enqueue, events } = setup();
    const list = events(5);
    await enqueue(list);
    await delivery.flush();
    expect(sent[0]?.body.events).toEqual(list);
    expect(sent[0]?.body).toMatchObject({ writeKey: 'key', sentAt: Date.now() });
  });

  it('reports events as sent when the request leaves, and delivered after the 2xx', async () => {
    const { delivery, reports, enqueue, events, ids } = setup();
    const list = events(2);
    await enqueue(list);
    await delivery.flush();
    expect(reports).toEqual([
      { kind: 'queued', count: list.length, ids: ids(list) },
      { kind: 'sent', count: list.length, ids: ids(list) },
      { kind: 'delivered', count: list.length, ids: ids(list) },
    ]);
  });

  it('retries with exponential backoff (full jitter under a doubling ceiling) and keeps the events until a 2xx', async () => {
    const failure: SendOutcome = { kind: 'retry', reason: 'network' };
    const { delivery, sent, reports, enqueue, events, ids } = setup({
      outcomes: [failure, failure, failure],
      config: { flushInterval: 10 },
      // The top of each jitter range: the ceiling, 1 s doubling per attempt.
      random: () => 1,
    });
    const list = events(1);
    await enqueue(list);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toHaveLength(1);
    expect(reports).toEqual([
      { kind: 'queued', count: 1, ids: ids(list) },
      { kind: 'sent', count: 1, ids: ids(list) },
      { kind: 'retry', count: 1, ids: ids(list), delay: 1_000, reason: 'network' },
    ]);
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent).toHaveLength(3);
    expect(delivery.queued()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(sent).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(4);
    expect(delivery.queued()).toEqual([]);
  });

  it('spreads retries over the whole range below the ceiling, so tabs and visitors do not retry in step', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { reports, enqueue, events } = setup({
        outcomes: [{ kind: 'retry', reason: 'network' }],
        config: { flushInterval: 10 },
        random: Math.random,
      });
      await enqueue(events(1));
      await vi.advanceTimersByTimeAsync(10);
      const retry = reports.find((r) => r.kind === 'retry');
      if (retry?.kind === 'retry') delays.push(retry.delay);
    }
    expect(delays).toHaveLength(40);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1_000);
    expect(new Set(delays).size).toBeGreaterThan(20);
  });

  it('treats Retry-After as a floor under the backoff, spread above it', async () => {
    const { sent, reports, enqueue, events } = setup({
      outcomes: [{ kind: 'retry', after: 30_000, status: 503, reason: 'HTTP 503' }],
      config: { flushInterval: 10 },
      random: () => 0.5,
    });
    await enqueue(events(1));
    await vi.advanceTimersByTimeAsync(10);
    // 30 s × (1 + 0.5 × 20 %)
    expect(reports.find((r) => r.kind === 'retry')).toMatchObject({ delay: 33_000 });
    await vi.advanceTimersByTimeAsync(32_999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
  });

  it('does not storm a server that answers Retry-After: 0 (or a date in the past)', async () => {
    const { sent, enqueue, events } = setup({
      answer: () => ({ kind: 'retry', after: 0, status: 503, reason: 'HTTP 503' }),
      config: { flushInterval: 10 },
      random: () => 1,
    });
    await enqueue(events(1));
    await vi.advanceTimersByTimeAsync(10_000);
    // 1 + 2 + 4 s: the backoff grows as if there were no Retry-After at all.
    expect(sent.length).toBeLessThanOrEqual(4);
  });

  it('drops a batch the server refuses with a 4xx and reports why', async () => {
    const { delivery, reports, enqueue, events, ids, store } = setup({
      outcomes: [{ kind: 'drop', reason: 'HTTP 401 INGEST_UNKNOWN_WRITE_KEY' }],
    });
    const list = events(2);
    await enqueue(list);
    expect(await delivery.flush()).toEqual({ delivered: 0, pending: 0, beaconed: 0, timedOut: false });
    expect(reports).toContainEqual({
      kind: 'dropped',
      count: list.length,
      ids: ids(list),
      reason: 'HTTP 401 INGEST_UNKNOWN_WRITE_KEY',
    });
    expect(await store.claim('someone-else', () => false)).toEqual([]);
  });

  it('drops only the events the server rejected and keeps counting the rest as delivered', async () => {
    const { delivery, reports, enqueue, events } = setup({
      outcomes: [{ kind: 'ok', rejected: [{ index: 1, errors: [{ path: '/name' }] }] }],
    });
    const list = events(3);
    await enqueue(list);
    expect(await delivery.flush()).toEqual({ delivered: 2, pending: 0, beaconed: 0, timedOut: false });
    expect(reports).toContainEqual({
      kind: 'dropped',
      count: 1,
      ids: [list[1]!.id],
      reason: 'rejected: [{"path":"/name"}]',
    });
    expect(reports).toContainEqual({ kind: 'delivered', count: 2, ids: [list[0]!.id, list[2]!.id] });
  });

  it('halves the batch after a 413 until it fits, then tries full batches again', async () => {
    const { delivery, sent, enqueue, events } = setup({ outcomes: [{ kind: 'split' }, { kind: 'split' }] });
    await enqueue(events(8));
    await delivery.flush();
    expect(sent.map((s) => s.body.events.length)).toEqual([8, 4, 2, 6]);
  });

  it('drops oldest events beyond maxQueue and events older than maxAge', async () => {
    const { delivery, reports, enqueue, events, sent } = setup({
      config: { maxQueue: 3, maxAge: 60_000, flushInterval: 100_000, batchSize: 100 },
    });
    const list = events(5);
    await enqueue(list);
    expect(delivery.queued()).toEqual(list.slice(2).map((e) => e.id));
    expect(reports).toContainEqual({
      kind: 'dropped',
      count: 2,
      ids: [list[0]!.id, list[1]!.id],
      reason: 'queue full (maxQueue)',
    });
    await vi.advanceTimersByTimeAsync(60_001);
    await delivery.flush();
    expect(sent).toEqual([]);
    expect(delivery.queued()).toEqual([]);
  });

  it('sends an event above 32 KiB without its largest properties, marked, instead of dropping it', async () => {
    const { delivery, sent, reports, enqueue, events } = setup();
    const properties: Record<string, string | number> = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(1_000)]),
    );
    properties['plan'] = 'pro';
    const [huge] = events(1, { properties });
    await enqueue([huge!]);
    expect(await delivery.flush()).toEqual({ delivered: 1, pending: 0, beaconed: 0, timedOut: false });
    expect(reports.filter((r) => r.kind === 'dropped')).toEqual([]);
    const [event] = sent[0]!.body.events;
    expect(new TextEncoder().encode(JSON.stringify(event)).length).toBeLessThanOrEqual(32 * 1024);
    expect(validateEvent(event)).toMatchObject({ ok: true });
    const left = String(event?.properties?.[TRIMMED_PROPERTY]).split(',');
    expect(left.length).toBeGreaterThan(0);
    for (const key of left) expect(event?.properties).not.toHaveProperty(key);
    expect(event?.properties?.['plan']).toBe('pro');
    expect(Object.keys(event!.properties!).length - 1 + left.length).toBe(41);
    expect({ ...event, properties: undefined }).toEqual({ ...huge, properties: undefined });
  });

  it('drops an event that is still over 32 KiB without any property, saying why', async () => {
    const { delivery, reports, enqueue, events } = setup();
    // Not a valid event (URLs are capped at 2 048 characters): what the worker does if one ever arrives.
    const [huge] = events(1, { page: { url: `https://example.com/${'x'.repeat(40_000)}`, path: '/' } });
    await enqueue([huge!]);
    expect(delivery.queued()).toEqual([]);
    expect(reports).toEqual([
      { kind: 'dropped', count: 1, ids: [huge!.id], reason: expect.stringMatching(/^event is \d+ bytes, over 32768$/) },
    ]);
  });

  it('keeps healthy events flowing past one the server keeps failing on, and quarantines that one with a reason', async () => {
    const [poison] = events0(1, { name: 'poison' });
    const { delivery, reports, enqueue, events, store } = setup({
      config: { flushInterval: 1_000 },
      random: () => 1,
      // Ingest crashes on this one event, whatever else the batch carries.
      answer: (batch) =>
        batch.some((e) => e.name === 'poison')
          ? { kind: 'retry', status: 500, reason: 'HTTP 500 INTERNAL' }
          : { kind: 'ok', rejected: [] },
    });
    const healthy = events(30);
    await enqueue([poison!, ...healthy]);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    const delivered = reports.flatMap((r) => (r.kind === 'delivered' ? r.ids : []));
    expect(delivered.sort()).toEqual(healthy.map((e) => e.id).sort());
    // Later events go out on time while the poison is still being tried on its own.
    for (let minute = 0; minute < 10; minute++) {
      const [later] = events(1);
      await enqueue([later!]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(delivery.queued()).not.toContain(later!.id);
    }
    const dropped = reports.filter((r) => r.kind === 'dropped');
    expect(dropped).toEqual([
      {
        kind: 'dropped',
        count: 1,
        ids: [poison!.id],
        reason:
          'quarantined: failed 5 times on its own (last: HTTP 500 INTERNAL) while the server accepted other events',
      },
    ]);
    expect(delivery.queued()).toEqual([]);
    expect(await store.claim('someone-else', () => false)).toEqual([]);
  });

  it('quarantines nothing during an outage: every send fails, so no event is singled out', async () => {
    let down = true;
    const { delivery, reports, enqueue, events } = setup({
      config: { flushInterval: 1_000 },
      random: () => 1,
      answer: () => (down ? { kind: 'retry', status: 500, reason: 'HTTP 500' } : { kind: 'ok', rejected: [] }),
    });
    const list = events(3);
    await enqueue(list);
    await vi.advanceTimersByTimeAsync(6 * 3_600_000);
    down = false;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(reports.filter((r) => r.kind === 'dropped')).toEqual([]);
    expect(delivery.queued()).toEqual([]);
    expect(reports.flatMap((r) => (r.kind === 'delivered' ? r.ids : [])).sort()).toEqual(list.map((e) => e.id).sort());
  });

  it('keeps a Retry-After for the next page: it neither sends on schedule nor on flush before then', async () => {
    const store = memoryStore();
    const first = setup({
      store,
      outcomes: [{ kind: 'retry', after: 120_000, status: 503, reason: 'HTTP 503' }],
      config: { flushInterval: 10 },
    });
    await first.enqueue(first.events(1));
    await vi.advanceTimersByTimeAsync(10);
    first.delivery.stop();

    await vi.advanceTimersByTimeAsync(1_200);
    const next = setup({ store, orphans: await store.claim('next', () => false) });
    await next.delivery.ready;
    expect(await next.delivery.flush()).toEqual({ delivered: 0, pending: 1, beaconed: 0, timedOut: false });
    await vi.advanceTimersByTimeAsync(110_000);
    expect(next.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(next.sent).toHaveLength(1);
    expect(next.delivery.queued()).toEqual([]);
  });

  it('ignores an event it already holds', async () => {
    const { delivery, enqueue, events } = setup();
    const list = events(1);
    await enqueue(list);
    await enqueue(list);
    expect(delivery.queued()).toHaveLength(1);
  });

  it('resends events a closed tab left in storage before new ones', async () => {
    const [old] = [sampleEvent({ name: 'left-behind' })];
    const orphan: StoredEvent = {
      id: old.id,
      json: JSON.stringify(old),
      bytes: 100,
      at: Date.now() - 1_000,
      owner: 'dead-tab',
    };
    const { delivery, sent, enqueue, events } = setup({ orphans: [orphan] });
    await delivery.ready;
    await enqueue(events(1));
    await delivery.flush();
    expect(sent[0]?.body.events[0]?.name).toBe('left-behind');
    expect(sent.flatMap((s) => s.body.events)).toHaveLength(2);
  });

  it('retries at once when the network returns', async () => {
    const { delivery, sent, enqueue, events } = setup({
      outcomes: [
        { kind: 'retry', reason: 'network' },
        { kind: 'retry', reason: 'network' },
      ],
      config: { flushInterval: 10 },
    });
    await enqueue(events(1));
    await vi.advanceTimersByTimeAsync(10);
    // random() = 0: the shortest backoff, 250 ms; the second failure backs off again.
    await vi.advanceTimersByTimeAsync(250);
    expect(sent).toHaveLength(2);
    await delivery.online();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(3);
  });

  it('forgets everything on clear (opt-out)', async () => {
    const { delivery, enqueue, events, store } = setup();
    await enqueue(events(3));
    await delivery.clear();
    expect(delivery.queued()).toEqual([]);
    expect(await store.claim('probe', () => false)).toEqual([]);
  });
});
