import { TOPICS } from '@eventline/contract';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@eventline/kit/config';
import { ENV, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({});
    expect(config.kafka).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      topic: TOPICS.events,
      deadLetterTopic: TOPICS.deadLetter,
      groupId: 'eventline-consumer',
      fromBeginning: true,
    });
    expect(config.influx).toMatchObject({
      url: 'http://127.0.0.1:8086',
      token: '',
      org: '',
      bucket: 'eventline/events',
    });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.batchSize).toBe(5_000);
  });

  it('reads every variable and freezes the result', () => {
    const config = loadConfig({
      EVENTLINE_KAFKA_BROKERS: 'a:1, b:2',
      EVENTLINE_KAFKA_TOPIC: 't',
      EVENTLINE_KAFKA_DLQ_TOPIC: 'd',
      EVENTLINE_CONSUMER_GROUP: 'g',
      EVENTLINE_CONSUMER_FROM_BEGINNING: 'false',
      EVENTLINE_INFLUX_URL: 'http://influx:8086/',
      EVENTLINE_INFLUX_TOKEN: 'user:pass',
      EVENTLINE_INFLUX_BUCKET: 'db/rp',
      EVENTLINE_CONSUMER_BATCH_SIZE: '100',
      EVENTLINE_CONSUMER_PORT: '0',
    });
    expect(config.kafka).toMatchObject({
      brokers: ['a:1', 'b:2'],
      topic: 't',
      deadLetterTopic: 'd',
      groupId: 'g',
      fromBeginning: false,
    });
    expect(config.influx).toMatchObject({ url: 'http://influx:8086', token: 'user:pass', bucket: 'db/rp' });
    expect(config.batchSize).toBe(100);
    expect(Object.isFrozen(config) && Object.isFrozen(config.kafka)).toBe(true);
  });

  it('refuses invalid values and names every offending variable', () => {
    let error: unknown;
    try {
      loadConfig({
        EVENTLINE_CONSUMER_BATCH_SIZE: 'many',
        EVENTLINE_CONSUMER_FROM_BEGINNING: 'maybe',
        EVENTLINE_CONSUMER_PORT: '1.5',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of [
      'EVENTLINE_CONSUMER_BATCH_SIZE',
      'EVENTLINE_CONSUMER_FROM_BEGINNING',
      'EVENTLINE_CONSUMER_PORT',
    ])
      expect((error as Error).message).toContain(name);
  });

  it.each([
    [{ EVENTLINE_KAFKA_BROKERS: 'no-port' }, /EVENTLINE_KAFKA_BROKERS/],
    [{ EVENTLINE_INFLUX_URL: 'influx:8086' }, /EVENTLINE_INFLUX_URL/],
    [{ EVENTLINE_CONSUMER_BATCH_SIZE: '0' }, /EVENTLINE_CONSUMER_BATCH_SIZE/],
    [{ EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS: '1000' }, /EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS/],
    [
      { EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS: '6000', EVENTLINE_CONSUMER_HEARTBEAT_INTERVAL_MS: '3000' },
      /HEARTBEAT_INTERVAL_MS/,
    ],
    [{ EVENTLINE_LOG_LEVEL: 'loud' }, /EVENTLINE_LOG_LEVEL/],
    [
      { EVENTLINE_CONSUMER_FETCH_MAX_BYTES: '1048576', EVENTLINE_CONSUMER_PARTITION_MAX_BYTES: '2097152' },
      /PARTITION_MAX_BYTES must not be above EVENTLINE_CONSUMER_FETCH_MAX_BYTES/,
    ],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads only EVENTLINE_ variables', () => {
    for (const source of Object.values(ENV))
      expect(typeof source === 'string' ? source : source.name).toMatch(/^EVENTLINE_/);
  });
});
