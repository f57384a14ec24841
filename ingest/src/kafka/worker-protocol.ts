// Messages between the main thread and the Kafka worker thread: plain data
// only, discriminated on `type`.
import type { SinkMessage } from './event-sink.ts';

export interface WorkerSinkSettings {
  brokers: string[];
  topic: string;
  clientId: string;
  requestTimeoutMs: number;
  retries: number;
  logLevel: string;
}

export type ToWorker = { type: 'send'; id: number; messages: readonly SinkMessage[] } | { type: 'close' };

export type FromWorker =
  | { type: 'ack'; id: number }
  | { type: 'fail'; id: number; message: string }
  | { type: 'ready'; ready: boolean }
  | { type: 'closed' };
