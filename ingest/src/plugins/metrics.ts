// Prometheus metrics of one app instance (its own registry, so several apps can
// live in one process, as tests do), served at GET /metrics.
import fp from 'fastify-plugin';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface IngestMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'method' | 'status_code'>;
  readonly requestDuration: Histogram<'route' | 'status_code'>;
  readonly eventsAccepted: Counter<'site'>;
  readonly eventsRejected: Counter<'reason'>;
  readonly produceDuration: Histogram<'outcome'>;
  readonly produceBatchSize: Histogram;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: IngestMetrics;
  }
}

export function createMetrics(): IngestMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'eventline_ingest_' });
  return {
    registry,
    requests: new Counter({
      name: 'eventline_ingest_requests_total',
      help: 'HTTP requests answered, by route and status code.',
      labelNames: ['route', 'method', 'status_code'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'eventline_ingest_request_duration_seconds',
      help: 'Time from a request being read to its answer being sent, by route and status code (time spent waiting to be read is not in it: that is what event-loop shedding bounds).',
      labelNames: ['route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    eventsAccepted: new Counter({
      name: 'eventline_ingest_events_accepted_total',
      help: 'Events acknowledged by Kafka and reported as accepted.',
      labelNames: ['site'],
      registers: [registry],
    }),
    eventsRejected: new Counter({
      name: 'eventline_ingest_events_rejected_total',
      help: 'Events not accepted, by reason: invalid (schema), kafka_unavailable, overloaded, shutting_down.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    produceDuration: new Histogram({
      name: 'eventline_ingest_produce_duration_seconds',
      help: 'Time for one Kafka send (one coalesced batch) to be acknowledged or fail.',
      labelNames: ['outcome'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    produceBatchSize: new Histogram({
      name: 'eventline_ingest_produce_batch_messages',
      help: 'Messages per Kafka send, showing how well concurrent requests are coalesced.',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
  };
}

export const metricsPlugin = fp(
  async (app, options: { metrics: IngestMetrics }) => {
    const { metrics } = options;
    app.decorate('metrics', metrics);
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.requests.inc({ route, method: request.method, status_code: reply.statusCode });
      metrics.requestDuration.observe({ route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'eventline-metrics' },
);
