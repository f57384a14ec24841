// Read API v2's answers and the annotations as decorators, over an InfluxQL client of the database
// the raw bucket lives in (the rollups' retention policy is in the same one).
import { createInfluxQL } from '@eventline/rollup/influxql';
import { createRollupCache } from '@eventline/rollup/rollup-cache';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createAnalytics, type Analytics } from '../analytics.ts';
import { createAnnotations, type Annotations } from '../annotations.ts';
import type { DashboardConfig } from '../config.ts';

declare module 'fastify' {
  interface FastifyInstance {
    analytics: Analytics;
    annotations: Annotations;
  }
}

export default fp(
  async (app: FastifyInstance, options: Pick<DashboardConfig, 'influx' | 'rollupCacheMb'>) => {
    const influxql = createInfluxQL({
      url: options.influx.url,
      token: options.influx.token,
      database: options.influx.bucket.split('/')[0]!,
      timeoutMs: options.influx.queryTimeoutMs,
      // A person waits for the answer: a scan that keeps streaming is cut too.
      totalTimeoutMs: options.influx.queryTimeoutMs,
    });
    const rawPolicy = options.influx.bucket.split('/')[1] ?? '';
    const rollupCache =
      options.rollupCacheMb > 0 ? createRollupCache({ maxBytes: options.rollupCacheMb * 2 ** 20 }) : undefined;
    app.decorate('analytics', createAnalytics({ influxql, rawPolicy, rollupCache, logger: app.log }));
    app.decorate('annotations', createAnnotations({ influxql, logger: app.log }));
  },
  { name: 'analytics' },
);
