import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaLogging } from '../src/kafka-log.ts';

function capture(level: string): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

const entry = (level: number, message: string) => ({
  namespace: 'Connection',
  level,
  label: 'X',
  log: { timestamp: 't', message, logger: 'kafkajs', broker: 'b:1' },
});

describe('kafkaLogging', () => {
  it('asks kafkajs for warnings only, and passes its errors on as warnings from a child logger', () => {
    const { logger, lines } = capture('info');
    const logging = kafkaLogging(logger);
    expect(logging.logLevel).toBe(2);
    const log = logging.logCreator(logging.logLevel);
    log({ ...entry(1, 'Connection error'), namespace: 'Consumer' });
    log(entry(2, 'Rebalancing'));
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 40,
        module: 'kafkajs',
        namespace: 'Consumer',
        broker: 'b:1',
        msg: 'Connection error',
      }),
      expect.objectContaining({ level: 40, msg: 'Rebalancing' }),
    ]);
    expect(lines()[0]).not.toHaveProperty('timestamp');
  });

  it('leaves failed connection attempts, which kafkajs retries and the component reports, to debug', () => {
    const { logger, lines } = capture('info');
    const logging = kafkaLogging(logger);
    logging.logCreator(logging.logLevel)(entry(1, 'Connection error: connect ECONNREFUSED'));
    expect(lines()).toEqual([]);
  });

  it('passes kafkajs info and debug lines on when the logger is at debug', () => {
    const { logger, lines } = capture('debug');
    const logging = kafkaLogging(logger);
    expect(logging.logLevel).toBe(5);
    const log = logging.logCreator(logging.logLevel);
    log(entry(4, 'Starting'));
    log(entry(5, 'Request Metadata'));
    expect(lines().map((l) => l['level'])).toEqual([30, 20]);
  });
});
