// Latency-based load shedding for the routes that accept events: while this
// process's event loop is too far behind to answer in time, a request for them
// gets 503 INGEST_BUSY with Retry-After before its body is read, so overload
// shows as quick refusals the clients back off from, not as a queue that grows
// without bound. Measured by @fastify/under-pressure; registered by
// event-route-guards.ts inside the scope of each group of event routes, so health,
// readiness, metrics and docs are never shed.
// The produce path has its own bound (micro-batcher.ts, `maxWaitMs`).
import underPressure from '@fastify/under-pressure';
import fp from 'fastify-plugin';
import type { IngestConfig } from '../config.ts';
import { IngestError } from '../errors.ts';

const WHAT = { eventLoopDelay: 'event-loop delay', eventLoopUtilization: 'event-loop utilization' } as const;

export const loadSheddingPlugin = fp(
  async (app, options: { config: IngestConfig }) => {
    const { config } = options;
    // A sample taken before the app was ready measures the start itself (compiling schemas holds the loop),
    // not traffic; the second sample after ready is the first to measure traffic alone.
    let measuresTraffic = false;
    app.addHook('onReady', async () => {
      setTimeout(() => (measuresTraffic = true), 2 * config.shedSampleIntervalMs).unref();
    });
    await app.register(underPressure, {
      maxEventLoopDelay: config.shedEventLoopDelayMs,
      maxEventLoopUtilization: config.shedEventLoopUtilization,
      // The share of each sample, not of the whole uptime (the plugin's default).
      eventLoopUtilizationMode: 'interval',
      sampleInterval: config.shedSampleIntervalMs,
      // Resolving lets the request through; a rejection becomes its error, answered by the kit's error replies (503, spread Retry-After).
      pressureHandler: async (_request, _reply, type, value) => {
        if (!measuresTraffic) return;
        const what = WHAT[type as keyof typeof WHAT] ?? type;
        const measured = type === 'eventLoopDelay' ? `${Math.round(value ?? 0)} ms` : (value ?? 0).toFixed(2);
        throw new IngestError('INGEST_BUSY', `${what} ${measured} is over the shedding threshold`);
      },
    });
  },
  { name: 'eventline-load-shedding', dependencies: ['eventline-error-replies'] },
);
