// Coalesces the messages of concurrent requests into few sink sends. One send
// is in flight at a time; whatever arrives meanwhile goes out together as soon
// as it completes, and an idle batcher lingers a moment to gather company. Each
// submission resolves only when the send that carried its own messages was
// acknowledged, and rejects (never resolves) when that send failed or its
// deadline passed, so a caller never reports success for unacknowledged data.
// A send that never settles is given up on after the same deadline, so it
// cannot hold the batcher (and every later request, and shutdown) forever.
// Buffered work is bounded in messages and in bytes, and in time: once the
// oldest unacknowledged submission has waited `maxWaitMs` beyond the linger, new ones
// are refused at once (they would wait at least as long), so a broker slower than
// the traffic shows as quick 503s rather than as latency.
import type { FastifyBaseLogger } from 'fastify';
import { SinkUnavailableError, type EventSink, type SinkMessage } from './event-sink.ts';

export interface MicroBatcherOptions {
  sink: EventSink;
  logger: FastifyBaseLogger;
  /** How long an idle batcher waits for more submissions before sending, ms. */
  lingerMs: number;
  /** Most messages in one send; a larger single submission is sent alone. */
  maxBatchMessages: number;
  /**
   * Most bytes (UTF-8 keys and values) in one send; a larger single submission
   * is sent alone. Keeps each partition's record batch under the broker's
   * message size limit even before compression.
   */
  maxBatchBytes: number;
  /** Most messages waiting to be sent; submissions beyond it are refused at once. */
  maxBufferedMessages: number;
  /** Most bytes (UTF-8 keys and values) waiting to be sent; submissions beyond it are refused at once. */
  maxBufferedBytes: number;
  /**
   * Longest the oldest submission not yet acknowledged (waiting, or in the send in flight) may have waited,
   * beyond `lingerMs`, before new submissions are refused at once, ms. Default: 0, no bound
   */
  maxWaitMs?: number;
  /** The clock, ms. Default: performance.now */
  now?: () => number;
  /**
   * Longest a submission waits for its acknowledgement, ms; also how long a send
   * may stay in flight before it counts as failed and the next one may start
   * (by then every submission it carried has given up waiting).
   */
  timeoutMs: number;
  /** Called after every send with its size, duration and outcome. */
  onSend?: (report: { messages: number; seconds: number; ok: boolean }) => void;
}

export interface MicroBatcher {
  /** Resolves once the sink acknowledged these messages. */
  submit(messages: SinkMessage[]): Promise<void>;
  /** Messages waiting to be sent. */
  buffered(): number;
  /** Bytes of the messages waiting to be sent. */
  bufferedBytes(): number;
  /** Sends everything waiting, then refuses new submissions. */
  drain(): Promise<void>;
}

/** The batcher's buffer is full, or its oldest submission has waited too long: the broker is slower than the traffic. */
export class BatcherOverloadedError extends Error {
  constructor(message = 'too many messages are waiting for Kafka') {
    super(message);
    this.name = 'BatcherOverloadedError';
  }
}

export class BatcherClosedError extends Error {
  constructor() {
    super('the batcher is draining for shutdown');
    this.name = 'BatcherClosedError';
  }
}

interface Submission {
  messages: SinkMessage[];
  bytes: number;
  /** When it was submitted, on the batcher's clock. */
  at: number;
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export function createMicroBatcher(options: MicroBatcherOptions): MicroBatcher {
  const logger = options.logger.child({ module: 'micro-batcher' });
  let queue: Submission[] = [];
  let bufferedMessages = 0;
  let bufferedBytes = 0;
  let inFlight: Promise<void> | undefined;
  /** When the oldest submission of the send in flight was submitted. */
  let inFlightSince: number | undefined;
  const now = options.now ?? (() => performance.now());
  const maxWaitMs = options.maxWaitMs ?? 0;
  let lingerTimer: NodeJS.Timeout | undefined;
  let closed = false;

  function settle(submission: Submission, error?: Error): void {
    if (submission.settled) return;
    submission.settled = true;
    clearTimeout(submission.timer);
    if (error) submission.reject(error);
    else submission.resolve();
  }

  function expire(submission: Submission): void {
    const index = queue.indexOf(submission);
    if (index !== -1) {
      queue.splice(index, 1);
      bufferedMessages -= submission.messages.length;
      bufferedBytes -= submission.bytes;
    }
    settle(submission, new SinkUnavailableError(`no acknowledgement from Kafka within ${options.timeoutMs} ms`));
  }

  function schedule(): void {
    if (inFlight || queue.length === 0) return;
    const full = bufferedMessages >= options.maxBatchMessages || bufferedBytes >= options.maxBatchBytes;
    if (full || options.lingerMs === 0 || closed) {
      sendNext();
      return;
    }
    lingerTimer ??= setTimeout(sendNext, options.lingerMs);
  }

  function takeBatch(): Submission[] {
    let count = 0;
    let bytes = 0;
    let taken = 0;
    while (taken < queue.length) {
      const { messages, bytes: size } = queue[taken]!;
      const over = count + messages.length > options.maxBatchMessages || bytes + size > options.maxBatchBytes;
      if (taken > 0 && over) break;
      count += messages.length;
      bytes += size;
      taken++;
    }
    const batch = queue.slice(0, taken);
    queue = queue.slice(taken);
    bufferedMessages -= count;
    bufferedBytes -= bytes;
    return batch;
  }

  function sendNext(): void {
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    if (inFlight || queue.length === 0) return;
    const batch = takeBatch();
    const messages = batch.length === 1 ? batch[0]!.messages : batch.flatMap((s) => s.messages);
    const started = performance.now();
    inFlightSince = batch[0]!.at;
    const sent = options.sink.send(messages);
    // Once given up on, the send's own outcome has nobody left to tell.
    sent.catch(() => {});
    let watchdog: NodeJS.Timeout | undefined;
    const givenUp = new Promise<never>((_resolve, reject) => {
      watchdog = setTimeout(() => {
        logger.warn(
          { messages: messages.length, timeoutMs: options.timeoutMs },
          'Kafka send did not settle in time; treating it as failed',
        );
        reject(new SinkUnavailableError(`the Kafka send did not settle within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
    });
    inFlight = Promise.race([sent, givenUp]).then(
      () => {
        report(messages.length, started, true);
        for (const submission of batch) settle(submission);
      },
      (error: unknown) => {
        report(messages.length, started, false);
        const failure =
          error instanceof SinkUnavailableError ? error : new SinkUnavailableError(String(error), { cause: error });
        logger.debug({ err: error, messages: messages.length }, 'send failed');
        for (const submission of batch) settle(submission, failure);
      },
    );
    void inFlight.finally(() => {
      clearTimeout(watchdog);
      inFlight = undefined;
      inFlightSince = undefined;
      // Whatever queued during the send has waited long enough: no linger.
      if (queue.length > 0) sendNext();
    });
  }

  function report(messages: number, started: number, ok: boolean): void {
    options.onSend?.({ messages, seconds: (performance.now() - started) / 1000, ok });
  }

  return {
    submit(messages) {
      if (closed) return Promise.reject(new BatcherClosedError());
      if (bufferedMessages + messages.length > options.maxBufferedMessages)
        return Promise.reject(new BatcherOverloadedError());
      const bytes = byteSize(messages);
      if (bufferedBytes + bytes > options.maxBufferedBytes) return Promise.reject(new BatcherOverloadedError());
      const at = now();
      // Lingering is waiting by design, not a sign that Kafka is behind.
      const waited = at - (inFlightSince ?? queue[0]?.at ?? at) - options.lingerMs;
      if (maxWaitMs > 0 && waited > maxWaitMs)
        return Promise.reject(
          new BatcherOverloadedError(`events have waited ${Math.round(waited)} ms for Kafka, over ${maxWaitMs} ms`),
        );
      return new Promise<void>((resolve, reject) => {
        const submission: Submission = { messages, bytes, at, settled: false, resolve, reject };
        submission.timer = setTimeout(() => expire(submission), options.timeoutMs);
        queue.push(submission);
        bufferedMessages += messages.length;
        bufferedBytes += bytes;
        schedule();
      });
    },
    buffered: () => bufferedMessages,
    bufferedBytes: () => bufferedBytes,
    async drain() {
      closed = true;
      while (inFlight || queue.length > 0) {
        if (!inFlight) sendNext();
        await inFlight;
      }
    },
  };
}

function byteSize(messages: readonly SinkMessage[]): number {
  let bytes = 0;
  for (const { key, value } of messages) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  return bytes;
}
