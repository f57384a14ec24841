// What crosses the worker boundary: plain data only. The main-thread fallback
// is called through DeliveryApi; a worker gets the calls that answer through
// Comlink (WorkerApi), and events in and reports out as one-way messages
// (WorkerMessage), which need no reply and no proxy.
import type { FlushResult, Report, Transport } from '../types.ts';

/** The user's options without functions (they cannot be cloned), plus the batch URL. */
export interface DeliveryConfig {
  /** Full URL of the batch endpoint, including `?writeKey=`. */
  url: string;
  writeKey: string;
  batchSize?: number;
  flushInterval?: number;
  maxQueue?: number;
  maxAge?: number;
  compress?: boolean;
  timeout?: number;
  debug?: boolean;
}

/** DeliveryConfig with the worker's defaults applied. */
export type DeliverySettings = Required<DeliveryConfig>;

/**
 * Worker → main thread, in the shape of the public reports (discriminated on
 * `kind`), so the page passes them on unchanged. The page keeps its copy of an
 * event for the unload beacon until `delivered` or `dropped`.
 */
export type DeliveryReport = Extract<Report, { kind: 'queued' | 'sent' | 'delivered' | 'dropped' | 'retry' }>;

export interface DeliveryApi {
  start(config: DeliveryConfig, report: (report: DeliveryReport) => void, transport?: Transport): Promise<void>;
  /** Events serialized once on the main thread (JSON of an `Event`), so the clone is cheap and resends are byte-identical. */
  enqueue(events: string[]): Promise<void>;
  /** Sends everything queued now; resolves when the queue is empty, a send failed or the server asked to wait. */
  flush(): Promise<FlushResult>;
  /** Drops every queued event (opt-out). */
  clear(): Promise<void>;
  /** The network is back: retry at once. */
  online(): Promise<void>;
  stop(): Promise<void>;
}

/** What Comlink carries to a worker: the calls whose answer the page waits for. */
export type WorkerApi = Omit<DeliveryApi, 'start' | 'enqueue'> & {
  start(config: DeliveryConfig, transport?: Transport): Promise<void>;
};

/**
 * Posted beside Comlink's messages on the worker's own port, which keeps them in order with its calls (events
 * enqueued before a flush are in it); Comlink ignores messages that are not its own.
 */
export type WorkerMessage = { type: 'enqueue'; events: string[] } | { type: 'report'; report: DeliveryReport };
