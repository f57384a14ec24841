import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '@eventline/kit/config';
import { loadConfig } from '../../dashboard/src/server/config.ts';
import { repoRoot } from '../src/services.ts';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  profiles?: string[];
}

// Docker cannot run here, so the file is checked as data: what it starts, how, and with which settings.
const compose = parse(readFileSync(`${repoRoot}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** A service's environment as compose would hand it over, given the shell's variables; throws where compose would refuse to start. */
function interpolated(name: string, shell: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(service(name).environment ?? {})) {
    env[key] = String(value).replace(
      /\$\{(\w+)(?::([?-])([^}]*))?\}/g,
      (_match, variable: string, operator?: string, text = '') => {
        const given = shell[variable];
        if (given) return given;
        if (operator === '?') throw new Error(`compose: required variable ${variable} is missing a value: ${text}`);
        return operator === '-' ? text : '';
      },
    );
  }
  return env;
}

describe('docker-compose.yml', () => {
  it('runs Kafka in KRaft mode with single-broker replication settings and no ZooKeeper', () => {
    const env = interpolated('kafka', {});
    expect(service('kafka').image).toMatch(/^apache\/kafka:4\./);
    expect(env['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(env['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBe('1@kafka:9093');
    expect(env['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR']).toBe('1');
    expect(env['KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR']).toBe('1');
    expect(env['KAFKA_TRANSACTION_STATE_LOG_MIN_ISR']).toBe('1');
    expect(env['KAFKA_MIN_INSYNC_REPLICAS']).toBe('1');
    expect(interpolated('kafka-init', {})).toMatchObject({ BROKERS: 'kafka:9092', REPLICATION: '1', MIN_ISR: '1' });
    expect(Object.keys(compose.services).some((name) => /zookeeper/i.test(name))).toBe(false);
    expect(Object.keys(env).some((key) => /ZOOKEEPER/.test(key))).toBe(false);
  });

  it('runs a 3-broker KRaft cluster with the cluster profile and its env file', () => {
    const clusterEnv = Object.fromEntries(
      readFileSync(`${repoRoot}compose.cluster.env`, 'utf8')
        .split('\n')
        .filter((line) => /^\w+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const voters = '1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093';
    ['kafka', 'kafka-2', 'kafka-3'].forEach((name, index) => {
      const env = interpolated(name, clusterEnv);
      expect(env['KAFKA_NODE_ID']).toBe(String(index + 1));
      expect(env['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBe(voters);
      expect(env['KAFKA_ADVERTISED_LISTENERS']).toBe(`PLAINTEXT://${name}:9092`);
      expect(env['KAFKA_DEFAULT_REPLICATION_FACTOR']).toBe('3');
      expect(env['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR']).toBe('3');
      expect(env['KAFKA_MIN_INSYNC_REPLICAS']).toBe('2');
      expect(env['KAFKA_TRANSACTION_STATE_LOG_MIN_ISR']).toBe('2');
      expect(env['KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE']).toBe('false');
    });
    for (const name of ['kafka-2', 'kafka-3']) {
      expect(service(name).profiles).toEqual(['cluster']);
      expect(service(name).volumes?.[0]).toMatch(new RegExp(`^${name}-data:`));
      expect(service('kafka-init').depends_on?.[name]).toMatchObject({ condition: 'service_healthy', required: false });
    }
    expect(service('kafka').profiles).toBeUndefined();
    expect(interpolated('kafka-init', clusterEnv)).toMatchObject({
      BROKERS: 'kafka:9092,kafka-2:9092,kafka-3:9092',
      REPLICATION: '3',
      MIN_ISR: '2',
    });
    const init = service('kafka-init').command?.join(' ') ?? '';
    // events, events.dlq and events.touched-hours
    expect(init.match(/--replication-factor \$\$REPLICATION --config min\.insync\.replicas=\$\$MIN_ISR/g)).toHaveLength(
      3,
    );
    for (const name of ['ingest', 'consumer', 'rollup', 'dashboard', 'demo-site']) {
      expect(
        interpolated(name, { ...clusterEnv, EVENTLINE_DASHBOARD_TOKEN: 'a-secret' })['EVENTLINE_KAFKA_BROKERS'],
      ).toBe('kafka:9092,kafka-2:9092,kafka-3:9092');
    }
  });

  it('creates the events and dead-letter topics before the services start', () => {
    const init = service('kafka-init');
    expect(init.command?.join(' ')).toMatch(/--topic events --partitions \d+/);
    expect(init.command?.join(' ')).toMatch(/--topic events\.dlq/);
    expect(init.command?.join(' ')).toMatch(/--topic events\.touched-hours/);
    for (const name of ['ingest', 'consumer', 'rollup', 'dashboard', 'demo-site']) {
      expect(service(name).depends_on?.['kafka-init']?.condition).toBe('service_completed_successfully');
      expect(service(name).depends_on?.['influxdb']?.condition).toBe('service_healthy');
    }
  });

  it('serves InfluxDB 1.8 with Flux enabled', () => {
    expect(service('influxdb').image).toBe('influxdb:1.8.10');
    expect(service('influxdb').environment?.['INFLUXDB_HTTP_FLUX_ENABLED']).toBe('true');
  });

  it('starts the five services from their built entry points with plain node, with health checks', () => {
    const entries: Record<string, string> = {
      ingest: 'ingest/dist/server.js',
      consumer: 'consumer/dist/main.js',
      rollup: 'rollup/dist/main.js',
      dashboard: 'dashboard/dist/server/main.js',
      'demo-site': 'demo-site/dist/server/main.js',
    };
    for (const [name, entry] of Object.entries(entries)) {
      expect(service(name).command).toEqual(['node', entry]);
      expect(service(name).healthcheck?.test).toBeDefined();
      expect(interpolated(name, { EVENTLINE_DASHBOARD_TOKEN: 'a-secret' })['EVENTLINE_KAFKA_BROKERS']).toBe(
        'kafka:9092',
      );
    }
    for (const name of ['kafka', 'influxdb']) expect(service(name).healthcheck?.test).toBeDefined();
  });

  it('runs them from an image with the compiled output and production dependencies only', () => {
    const runtime = readFileSync(`${repoRoot}Dockerfile`, 'utf8')
      .split(/^FROM /m)
      .at(-1)!;
    expect(runtime).toMatch(/^RUN npm ci --omit=dev/m);
    expect(runtime).not.toMatch(/tsx|npm run build/);
    for (const name of ['ingest', 'consumer', 'dashboard', 'demo-site']) expect(runtime).toContain(`${name}/dist`);
  });

  it('publishes the public ports, the dashboard on this machine only, and keeps broker and database data in named volumes', () => {
    expect(service('ingest').ports).toContain('8080:8080');
    expect(service('dashboard').ports).toEqual(['127.0.0.1:3000:3000']);
    expect(service('demo-site').ports).toContain('3001:3001');
    expect(Object.keys(compose.volumes)).toEqual(['kafka-data', 'kafka-2-data', 'kafka-3-data', 'influxdb-data']);
    expect(service('kafka').volumes?.[0]).toMatch(/^kafka-data:/);
    expect(service('influxdb').volumes?.[0]).toMatch(/^influxdb-data:/);
  });

  it('will not start the dashboard without a read token of its own', () => {
    expect(() => interpolated('dashboard', {})).toThrow(/required variable EVENTLINE_DASHBOARD_TOKEN/);
    const env = interpolated('dashboard', { EVENTLINE_DASHBOARD_TOKEN: 'a-deployment-secret' });
    expect(env['EVENTLINE_DASHBOARD_HOST']).toBe('0.0.0.0');
    expect(loadConfig(env)).toMatchObject({ host: '0.0.0.0', token: 'a-deployment-secret', embedToken: false });
    // Without the token line, the dashboard itself refuses: on 0.0.0.0 the default token would be handed to every visitor.
    const { EVENTLINE_DASHBOARD_TOKEN: _token, ...withoutToken } = env;
    expect(() => loadConfig(withoutToken)).toThrow(ConfigError);
  });
});
