// The kafkajs client, logging through pino. kafkajs is chatty at info level, so
// its messages are passed on at warn and above unless the log level asks for more.
// Error responses on a connection (a rebalance, a coordinator still loading) are
// retried by kafkajs itself, so they are logged as warnings, not errors.
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(options: { brokers: readonly string[]; clientId: string; logger: Logger }): Kafka {
  const logger = options.logger.child({ module: 'kafkajs' });
  const verbose = logger.isLevelEnabled('debug');
  return new Kafka({
    brokers: [...options.brokers],
    clientId: options.clientId,
    logLevel: verbose ? logLevel.DEBUG : logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const {
          message,
          timestamp: _timestamp,
          logger: _logger,
          ...extra
        } = log as LogEntry['log'] & { logger?: unknown };
        const pinoLevel = namespace === 'Connection' && level === logLevel.ERROR ? 'warn' : (LEVELS[level] ?? 'info');
        logger[pinoLevel]({ namespace, ...extra }, message);
      },
  });
}
