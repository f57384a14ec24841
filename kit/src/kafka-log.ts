// The one bridge from kafkajs's logger to pino. kafkajs logs every failed
// request and connection attempt as an error and retries it itself; the
// component using kafkajs logs what a failure amounts to (a failed send, a lost
// group), so kafkajs's own errors are passed on as warnings, and its chatty
// info lines only when the logger asks for debug.
import type { logCreator, LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

/** kafkajs's logLevel values (kafkajs exports them as an enum; these are its wire numbers). */
const KAFKAJS = { ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;

export interface KafkaLogging {
  logLevel: number;
  logCreator: logCreator;
}

/** Options for `new Kafka({ ...kafkaLogging(logger) })`: kafkajs's lines go to a child of `logger`. */
export function kafkaLogging(logger: Pick<Logger, 'child'>): KafkaLogging {
  const log = logger.child({ module: 'kafkajs' }) as Logger;
  const verbose = log.isLevelEnabled('debug');
  return {
    logLevel: verbose ? KAFKAJS.DEBUG : KAFKAJS.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, timestamp: _timestamp, ...details } = entry as LogEntry['log'] & { logger?: unknown };
        delete details.logger;
        if (level <= KAFKAJS.WARN) log.warn({ namespace, ...details }, message);
        else if (level === KAFKAJS.INFO) log.info({ namespace, ...details }, message);
        else log.debug({ namespace, ...details }, message);
      },
  };
}
