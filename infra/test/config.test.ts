import { describe, expect, it } from 'vitest';
import { loadInfraConfig } from '../src/config.ts';

describe('infra configuration', () => {
  it('defaults to one broker, the usual ports and a cache under XDG_CACHE_HOME', () => {
    const config = loadInfraConfig({ XDG_CACHE_HOME: '/tmp/xdg' });
    expect(config.kafkaBrokers).toBe(1);
    expect(config.ports).toMatchObject({ kafka: 9092, influx: 8086, ingest: 8080, dashboard: 3000 });
    expect(config.kafkaDir).toBe('/tmp/xdg/eventline/kafka-4.1.1');
    expect(config.runDir).toBe('');
    expect(Object.isFrozen(config.ports)).toBe(true);
  });

  it('takes a cache directory, a cluster and moved ports from the environment', () => {
    const config = loadInfraConfig({
      EVENTLINE_CACHE_DIR: '/srv/cache',
      EVENTLINE_KAFKA_BROKERS_COUNT: '3',
      EVENTLINE_INGEST_PORT: '18080',
      EVENTLINE_KEEP_TEST_DATA: '1',
    });
    expect(config).toMatchObject({ kafkaBrokers: 3, keepTestData: true, influxDir: '/srv/cache/influxdb-v1.8.10' });
    expect(config.ports.ingest).toBe(18080);
  });

  it('reports every bad variable at once, by name', () => {
    const problems = () =>
      loadInfraConfig({
        EVENTLINE_KAFKA_BROKERS_COUNT: '2',
        EVENTLINE_KAFKA_PORT: '70000',
        EVENTLINE_KAFKA_HEAP: 'lots',
      });
    expect(problems).toThrow(/EVENTLINE_KAFKA_BROKERS_COUNT/);
    expect(problems).toThrow(/EVENTLINE_KAFKA_PORT/);
    expect(problems).toThrow(/EVENTLINE_KAFKA_HEAP/);
  });
});
