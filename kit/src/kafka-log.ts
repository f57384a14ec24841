// The one bridge from kafkajs's logger to pino. kafkajs logs every failed
// connection attempt as an error and retries it itself; the component using
// kafkajs logs what that amounts to ("cannot connect to Kafka"), so those lines
// go to debug. Its other errors and warnings (a rebalance, a coordinator still
// loading) are passed on as warnings, and its chatty info lines only when the
// logger asks for debug.
import type { logCreator, LogEntry } from 'kafkajs';

/** What the bridge needs of a logger: pino's and Fastify's both fit. */
export interface BridgedLogger {
  readonly level: string;
  child(bindings: Record<string, unknown>): BridgedLogger;
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
  debug(details: object, message: string): void;
}

/** kafkajs's logLevel values (kafkajs exports them as an enum; these are its wire numbers). */
const KAFKAJS = { ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;
/** kafkajs namespaces whose errors are connection attempts, retried by kafkajs and reported by the component. */
const CONNECTING = new Set(['Connection', 'BrokerPool']);

export interface KafkaLogging {
  logLevel: number;
  logCreator: logCreator;
}

/** Options for `new Kafka({ ...kafkaLogging(logger) })`: kafkajs's lines go to a child of `logger`. */
export function kafkaLogging(logger: BridgedLogger): KafkaLogging {
  const log = logger.child({ module: 'kafkajs' });
  const verbose = log.level === 'debug' || log.level === 'trace';
  return {
    logLevel: verbose ? KAFKAJS.DEBUG : KAFKAJS.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, timestamp: _timestamp, ...details } = entry as LogEntry['log'] & { logger?: unknown };
        delete details.logger;
        if (level === KAFKAJS.ERROR && CONNECTING.has(namespace)) log.debug({ namespace, ...details }, message);
        else if (level <= KAFKAJS.WARN) log.warn({ namespace, ...details }, message);
        else if (level === KAFKAJS.INFO) log.info({ namespace, ...details }, message);
        else log.debug({ namespace, ...details }, message);
      },
  };
}
