// The InfluxDB query client as a decorator. The client holds no open
// connections between queries, so closing the app only needs to stop new ones.
import { InfluxDB } from '@influxdata/influxdb-client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { DashboardConfig } from '../config.ts';
import { createEventReader, type EventReader } from '../event-reader.ts';

declare module 'fastify' {
  interface FastifyInstance {
    reader: EventReader;
  }
}

export default fp(
  async (app: FastifyInstance, options: { influx: DashboardConfig['influx'] }) => {
    const client = new InfluxDB({
      url: options.influx.url,
      token: options.influx.token,
      timeout: options.influx.queryTimeoutMs,
    });
    app.decorate(
      'reader',
      createEventReader({
        queryApi: client.getQueryApi(options.influx.org),
        bucket: options.influx.bucket,
        logger: app.log,
      }),
    );
  },
  { name: 'event-reader' },
);
