// Entry of the Kafka worker thread: runs the kafkajs sink, so that encoding,
// compressing and sending records does not take turns with HTTP handling on
// the main thread's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { createKafkaSink } from './kafka-sink.ts';
import type { FromWorker, ToWorker, WorkerSinkSettings } from './worker-protocol.ts';

const settings = workerData as WorkerSinkSettings;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const sink = createKafkaSink({
  ...settings,
  logger: pino({ level: settings.logLevel, base: { pid: process.pid, thread: 'kafka-worker' } }),
  onReadyChange: (ready) => post({ type: 'ready', ready }),
});

port.on('message', (message: ToWorker) => {
  if (message.type === 'send') {
    sink.send(message.messages).then(
      () => post({ type: 'ack', id: message.id }),
      (error: unknown) => post({ type: 'fail', id: message.id, message: (error as Error).message }),
    );
  } else {
    void sink.close().finally(() => post({ type: 'closed' }));
  }
});
sink.start();
