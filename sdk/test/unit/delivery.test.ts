// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sampleEvent } from '@eventline/contract/testing';
import type { Event } from '@eventline/contract';
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
  } = {},
) {
  const outcomes = [...(options.outcomes ?? [])];
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
        sent.push({ body: JSON.parse(body) as Sent['body'] });
        dispatched();
        return outcomes.shift() ?? { kind: 'ok', rejected: [] };
      },
    },
    claimOrphans: async () => options.orphans ?? [],
    random: () => 0,
  });
  const events = (n: number, extra: Partial<Event> = {}) =>
    Array.from({ length: n }, (_, i) => sampleEvent({ seq: i, ...extra }));
  const enqueue = (list: Event[]) => delivery.enqueue(list.map((e) => JSON.stringify(e)));
  return { delivery, sent, reports, store, events, enqueue, ids: (list: Event[]) => list.map((e) => e.id) };
}

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
      { kind: 'sent', count: list.length, ids: ids(list) },
      { kind: 'delivered', count: list.length, ids: ids(list) },
    ]);
  });

  it('retries with exponential backoff and keeps the events until a 2xx', async () => {
    const failure: SendOutcome = { kind: 'retry', reason: 'network' };
    const { delivery, sent, reports, enqueue, events, ids } = setup({
      outcomes: [failure, failure, failure],
      config: { flushInterval: 10 },
    });
    const list = events(1);
    await enqueue(list);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toHaveLength(1);
    expect(reports).toEqual([
      { kind: 'sent', count: 1, ids: ids(list) },
      { kind: 'retry', count: 1, ids: ids(list), delay: 1_000, reason: 'network' },
    ]);
    await vi.advanceTimersByTimeAsync(999); // random() = 0 → no jitter: 1 s, 2 s, 4 s
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

  it('waits as long as Retry-After says', async () => {
    const { sent, enqueue, events } = setup({
      outcomes: [{ kind: 'retry', after: 30_000, reason: 'HTTP 503' }],
      config: { flushInterval: 10 },
    });
    await enqueue(events(1));
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(2);
  });

  it('drops a batch the server refuses with a 4xx and reports why', async () => {
    const { delivery, reports, enqueue, events, ids, store } = setup({
      outcomes: [{ kind: 'drop', reason: 'HTTP 401 INGEST_UNKNOWN_WRITE_KEY' }],
    });
    const list = events(2);
    await enqueue(list);
    expect(await delivery.flush()).toEqual({ delivered: 0, pending: 0 });
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
    expect(await delivery.flush()).toEqual({ delivered: 2, pending: 0 });
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

  it('drops an event above 32 KiB instead of sending it', async () => {
    const { delivery, reports, enqueue, events } = setup();
    const [huge] = events(1, {
      properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(1_000)])),
    });
    await enqueue([huge!]);
    expect(delivery.queued()).toEqual([]);
    expect(reports[0]).toMatchObject({ kind: 'dropped', count: 1, ids: [huge!.id] });
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
      outcomes: [{ kind: 'retry', after: 60_000, reason: 'network' }],
      config: { flushInterval: 10 },
    });
    await enqueue(events(1));
    await vi.advanceTimersByTimeAsync(10);
    await delivery.online();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(2);
  });

  it('forgets everything on clear (opt-out)', async () => {
    const { delivery, enqueue, events, store } = setup();
    await enqueue(events(3));
    await delivery.clear();
    expect(delivery.queued()).toEqual([]);
    expect(await store.claim('probe', () => false)).toEqual([]);
  });
});
