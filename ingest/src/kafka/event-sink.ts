// The seam between ingest and its message broker. Everything above it speaks
// in messages and acknowledgements; only kafka-sink.ts knows about kafkajs.

export interface SinkMessage {
  /** Partitioning key: the anonymous id, so one visitor's events stay in order. */
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface EventSink {
  /** Resolves once the broker has acknowledged every message durably; rejects with SinkUnavailableError otherwise. */
  send(messages: readonly SinkMessage[]): Promise<void>;
  /** Whether the sink holds a working connection to the broker right now. */
  isReady(): boolean;
  /** Starts connecting in the background, retrying until connected or closed. */
  start(): void;
  /** Disconnects; sends after this fail. */
  close(): Promise<void>;
}

/** The broker did not acknowledge the write: it may or may not have stored it, so the client must resend. */
export class SinkUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkUnavailableError';
  }
}
