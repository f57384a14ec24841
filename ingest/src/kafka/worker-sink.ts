// An EventSink that runs the kafkajs sink in a worker thread and relays sends
// and acknowledgements to it. Same guarantees as kafka-sink.ts: a send
// resolves only on the broker's acknowledgement. If the worker dies, every
// pending send fails and a new worker starts.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import { SinkUnavailableError, type EventSink } from './event-sink.ts';
import type { FromWorker, ToWorker, WorkerSinkSettings } from './worker-protocol.ts';

/**
 * The worker runs the package's built kafka-worker.js (see the `./kafka-worker`
 * export), plain JavaScript that Node loads as it is, in development too:
 * worker threads do not inherit the main thread's loader hooks.
 */
function workerFile(): string {
  try {
    return createRequire(import.meta.url).resolve('@eventline/ingest/kafka-worker');
  } catch (error) {
    throw new Error('the Kafka worker is not built: run `npm run build -w @eventline/ingest`', { cause: error });
  }
}
/** Wait before replacing a worker that died, ms. */
const RESPAWN_DELAY_MS = 1_000;

export function createWorkerSink(options: { settings: WorkerSinkSettings; logger: FastifyBaseLogger }): EventSink {
  const logger = options.logger.child({ module: 'worker-sink' });
  const pending = new Map<number, { resolve(): void; reject(error: Error): void }>();
  let worker: Worker | undefined;
  let ready = false;
  let closed = false;
  let nextId = 0;
  let whenClosed: (() => void) | undefined;
  const file = workerFile();

  function failPending(reason: string): void {
    for (const { reject } of pending.values()) reject(new SinkUnavailableError(reason));
    pending.clear();
  }

  function spawn(): void {
    const current = new Worker(file, {
      workerData: options.settings,
      // Plain built JavaScript: none of the loaders or the source condition the main thread may run with (tsx, vitest).
      execArgv: [],
    });
    worker = current;
    current.on('message', (message: FromWorker) => {
      if (message.type === 'ready') ready = message.ready;
      else if (message.type === 'closed') whenClosed?.();
      else {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'ack') waiter?.resolve();
        else waiter?.reject(new SinkUnavailableError(message.message));
      }
    });
    current.on('error', (error) => logger.error({ err: error }, 'Kafka worker failed'));
    current.on('exit', (code) => {
      if (worker === current) worker = undefined;
      ready = false;
      failPending('the Kafka worker exited');
      if (closed) return;
      logger.error({ code }, 'Kafka worker exited; starting a new one');
      setTimeout(() => {
        if (!closed) spawn();
      }, RESPAWN_DELAY_MS).unref();
    });
  }

  return {
    start: () => {
      if (!worker && !closed) spawn();
    },
    isReady: () => ready && !closed,
    send(messages) {
      if (!worker || !ready || closed)
        return Promise.reject(new SinkUnavailableError(closed ? 'the Kafka sink is closed' : 'not connected to Kafka'));
      const id = nextId++;
      const sent = new Promise<void>((resolve, reject) => pending.set(id, { resolve, reject }));
      worker.postMessage({ type: 'send', id, messages } satisfies ToWorker);
      return sent;
    },
    async close() {
      closed = true;
      ready = false;
      const current = worker;
      if (!current) return;
      await new Promise<void>((resolve) => {
        whenClosed = resolve;
        current.once('exit', () => resolve());
        current.postMessage({ type: 'close' } satisfies ToWorker);
      });
      await current.terminate();
      failPending('the Kafka sink is closed');
    },
  };
}
