import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SinkUnavailableError, type EventSink, type SinkMessage } from '../src/kafka/event-sink.ts';
import {
  BatcherClosedError,
  BatcherOverloadedError,
  createMicroBatcher,
  type MicroBatcherOptions,
} from '../src/kafka/micro-batcher.ts';

const logger = pino({ level: 'silent' });

/** A sink whose sends complete only when the test says so. */
function manualSink() {
  const sends: { messages: SinkMessage[]; succeed(): void; fail(error?: Error): void }[] = [];
  const sink: EventSink = {
    start() {},
    isReady: () => true,
    close: async () => {},
    send: (messages) =>
      new Promise<void>((resolve, reject) => {
        sends.push({
          messages: [...messages],
          succeed: resolve,
          fail: (error) => reject(error ?? new SinkUnavailableError('down')),
        });
      }),
  };
  return { sink, sends };
}

const msg = (n: number): SinkMessage => ({ key: `k${n}`, value: `v${n}`, headers: {} });
const msgs = (from: number, count: number) => Array.from({ length: count }, (_, i) => msg(from + i));

function batcher(sink: EventSink, options: Partial<MicroBatcherOptions> = {}) {
  return createMicroBatcher({
    sink,
    logger,
    lingerMs: 0,
    maxBatchMessages: 1000,
    maxBatchBytes: 1 << 30,
    maxBufferedMessages: 10_000,
    maxBufferedBytes: 1 << 30,
    timeoutMs: 60_000,
    ...options,
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Records when a promise settles, without awaiting it. */
function track(promise: Promise<void>) {
  const state = { settled: false as false | 'resolved' | 'rejected', error: undefined as unknown };
  promise.then(
    () => (state.settled = 'resolved'),
    (error: unknown) => {
      state.settled = 'rejected';
      state.error = error;
    },
  );
  return state;
}

describe('micro-batcher', () => {
  it('coalesces submissions that arrive while a send is in flight into one send', async () => {
    const { sink, sends } = manualSink();
    const b = batcher(sink);
    const first = track(b.submit(msgs(0, 2)));
    await tick();
    expect(sends).toHaveLength(1);
    const others = Array.from({ length: 10 }, (_, i) => track(b.submit(msgs(100 + i * 3, 3))));
    await tick();
    expect(sends).toHaveLength(1);
    sends[0]!.succeed();
    await tick();
    expect(first.settled).toBe('resolved');
    expect(sends).toHaveLength(2);
    expect(sends[1]!.messages.map((m) => m.key)).toEqual(Array.from({ length: 30 }, (_, i) => `k${100 + i}`));
    expect(others.every((o) => o.settled === false)).toBe(true);
    sends[1]!.succeed();
    await tick();
    expect(others.every((o) => o.settled === 'resolved')).toBe(true);
  });

  it('lingers when idle so that concurrent submissions share a send', async () => {
    const { sink, sends } = manualSink();
    const b = batcher(sink, { lingerMs: 20 });
    void b.submit(msgs(0, 1));
    void b.submit(msgs(1, 1));
    await tick();
    expect(sends).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(sends).toHaveLength(1);
    expect(sends[0]!.messages).toHaveLength(2);
  });

  it('never resolves a submission whose send failed', async () => {
    const { sink, sends } = manualSink();
    const b = batcher(sink);
    const a = track(b.submit(msgs(0, 2)));
    await tick();
    sends[0]!.fail(new Error('broker gone'));
    await tick();
    expect(a.settled).toBe('rejected');
    expect(a.error).toBeInstanceOf(SinkUnavailableError);
  });

  it('rejects a submission whose acknowledgement does not come within the deadline, even if it comes later', async () => {
    const { sink, sends } = manualSink();
    const b = batcher(sink, { timeoutMs: 30 });
    const inFlight = track(b.submit(msgs(0, 1)));
    await tick();
    const queued = track(b.submit(msgs(1, 1)));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(inFlight.settled).toBe('rejected');
    expect(queued.settled).toBe('rejected');
    expect(b.buffered()).toBe(0);
    for (const send of sends) send.succeed();
    await tick();
    expect(inFlight.settled).toBe('rejected');
    expect(queued.settled).toBe('rejected');
  });

  it('does not send a submission that expired while waiting in the queue', async () => {
    const { sink, sends } = manualSink();
    const b = batcher(sink, { timeoutMs: 30, maxBatchMessages: 1 });
    void b.submit(msgs(0, 1)).catch(() => {});
    await tick();
    void b.submit(msgs(1, 1)).catch(() => {});
    const expired = track(b.submit(msgs(2, 1)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(expired.settled).toBe('rejected');
    expect(b.buffered()).toBe(0);
    expect(sends.flatMap((s) => s.messages.map((m) => m.key))).toEqual(['k0', 'k1']);
  });

  it('keeps sends within the batch size and the order of submissions', async () => {
    const { sink, sends } = manualSink();
    const b = batcher(sink, { maxBatchMessages: 500 });
    void b.submit(msgs(0, 1));
    await tick();
    for (let i = 0; i < 5; i++) void b.submit(msgs(1000 + i * 200, 200));
    sends[0]!.succeed();
    await tick();
    expect(sends[1]!.messages).toHaveLength(400);
    sends[1]!.succeed();
    await tick();
    expect(sends[2]!.messages).toHaveLength(400);
    sends[2]!.succeed();
    await tick();
    expect(sends[3]!.messages).toHaveLength(200);
    expect(sends.slice(1).flatMap((s) => s.messages.map((m) => m.key))).toEqual(msgs(1000, 1000).map((m) => m.key));
  });

  it('keeps sends within the byte bound, sending a larger single submission alone', async () => {
    const { sink, sends } = manualSink();
    // Each message is 5 + 5 bytes (key k1000…, value v1000…): 10 fit in 100 bytes.
    const b = batcher(sink, { maxBatchBytes: 100 });
    void b.submit(msgs(0, 1));
    await tick();
    for (let i = 0; i < 4; i++) void b.submit(msgs(1000 + i * 5, 5));
    void b.submit(msgs(2000, 20));
    sends[0]!.succeed();
    await tick();
    expect(sends[1]!.messages).toHaveLength(10);
    sends[1]!.succeed();
    await tick();
    expect(sends[2]!.messages).toHaveLength(10);
    sends[2]!.succeed();
    await tick();
    expect(sends[3]!.messages).toHaveLength(20);
  });

  it('refuses submissions at once when too many messages are waiting', async () => {
    const { sink } = manualSink();
    const b = batcher(sink, { maxBufferedMessages: 5 });
    void b.submit(msgs(0, 1));
    await tick();
    void b.submit(msgs(1, 4));
    await expect(b.submit(msgs(5, 2))).rejects.toBeInstanceOf(BatcherOverloadedError);
  });

  it('refuses submissions at once when too many bytes are waiting, however few the messages', async () => {
    const { sink, sends } = manualSink();
    const b = batcher(sink, { maxBufferedBytes: 100_000 });
    const big = (n: number): SinkMessage => ({ key: `k${n}`, value: 'x'.repeat(30_000), headers: {} });
    void b.submit([big(0)]);
    await tick();
    const waiting = track(b.submit([big(1), big(2)]));
    expect(b.bufferedBytes()).toBe(2 * (30_000 + 2));
    await expect(b.submit([big(3), big(4)])).rejects.toBeInstanceOf(BatcherOverloadedError);
    await expect(b.submit([{ key: 'k5', value: 'é'.repeat(20_000), headers: {} }])).rejects.toBeInstanceOf(
      BatcherOverloadedError,
    );
    void b.submit([big(6)]);
    expect(b.bufferedBytes()).toBe(3 * (30_000 + 2));
    sends[0]!.succeed();
    await tick();
    expect(b.bufferedBytes()).toBe(0);
    sends[1]!.succeed();
    await tick();
    expect(waiting.settled).toBe('resolved');
  });

  it('refuses submissions at once while the oldest unacknowledged one has waited longer than maxWaitMs', async () => {
    const { sink, sends } = manualSink();
    let clock = 0;
    const b = batcher(sink, { maxWaitMs: 100, now: () => clock });
    const first = track(b.submit(msgs(0, 1)));
    await tick();
    clock = 60;
    // The send in flight has waited 60 ms: within the bound, so this one queues behind it.
    const second = track(b.submit(msgs(1, 1)));
    clock = 101;
    const refused = b.submit(msgs(2, 1));
    await expect(refused).rejects.toBeInstanceOf(BatcherOverloadedError);
    await expect(refused).rejects.toThrow('events have waited 101 ms for Kafka, over 100 ms');
    sends[0]!.succeed();
    await tick();
    expect(first.settled).toBe('resolved');
    // Now the oldest is the one sent at 60 ms: 41 ms ago, so submissions are taken again.
    const third = track(b.submit(msgs(3, 1)));
    sends[1]!.succeed();
    await tick();
    sends[2]!.succeed();
    await tick();
    expect([second.settled, third.settled]).toEqual(['resolved', 'resolved']);
    expect(b.buffered()).toBe(0);
  });

  it('does not count the linger as waiting for Kafka', async () => {
    const { sink, sends } = manualSink();
    let clock = 0;
    const b = batcher(sink, { lingerMs: 1_000, maxWaitMs: 100, now: () => clock });
    const lingering = track(b.submit(msgs(0, 1)));
    clock = 1_050;
    const joining = track(b.submit(msgs(1, 1)));
    clock = 1_101;
    await expect(b.submit(msgs(2, 1))).rejects.toBeInstanceOf(BatcherOverloadedError);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    sends[0]!.succeed();
    await tick();
    expect([lingering.settled, joining.settled]).toEqual(['resolved', 'resolved']);
  });

  it('takes any submission, however late, while nothing is waiting for Kafka', async () => {
    const { sink, sends } = manualSink();
    let clock = 0;
    const b = batcher(sink, { maxWaitMs: 100, now: () => clock });
    for (let i = 0; i < 3; i++) {
      const submitted = track(b.submit(msgs(i, 1)));
      await tick();
      sends[i]!.succeed();
      await tick();
      expect(submitted.settled).toBe('resolved');
      clock += 1_000;
    }
  });

  it('gives up on a send that never settles after the deadline, fails it as retriable and moves on', async () => {
    let calls = 0;
    const sent: SinkMessage[][] = [];
    // The first send hangs forever (a wedged broker connection or worker); later ones succeed.
    const sink: EventSink = {
      start() {},
      isReady: () => true,
      close: async () => {},
      send: (messages) =>
        calls++ === 0 ? new Promise<void>(() => {}) : Promise.resolve(void sent.push([...messages])),
    };
    const b = batcher(sink, { timeoutMs: 50 });
    const wedged = track(b.submit(msgs(0, 2)));
    await tick();
    const queued = track(b.submit(msgs(2, 1)));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(wedged.settled).toBe('rejected');
    expect(wedged.error).toBeInstanceOf(SinkUnavailableError);
    // What queued behind the wedged send goes out next, within its own deadline.
    expect(queued.settled).toBe('resolved');
    await expect(b.submit(msgs(3, 1))).resolves.toBeUndefined();
    expect(sent).toEqual([msgs(2, 1), msgs(3, 1)]);
    await b.drain();
  });

  it('drains within the deadline even while a send hangs', async () => {
    const sink: EventSink = {
      start() {},
      isReady: () => true,
      close: async () => {},
      send: () => new Promise<void>(() => {}),
    };
    const b = batcher(sink, { timeoutMs: 50 });
    const wedged = track(b.submit(msgs(0, 1)));
    await tick();
    const started = performance.now();
    await b.drain();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(wedged.settled).toBe('rejected');
  });

  it('sends everything waiting on drain and refuses new submissions after', async () => {
    const { sink, sends } = manualSink();
    const b = batcher(sink, { lingerMs: 1000 });
    const a = track(b.submit(msgs(0, 3)));
    const drained = b.drain();
    await tick();
    expect(sends).toHaveLength(1);
    sends[0]!.succeed();
    await drained;
    expect(a.settled).toBe('resolved');
    await expect(b.submit(msgs(3, 1))).rejects.toBeInstanceOf(BatcherClosedError);
  });
});
