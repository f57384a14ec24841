// Writes one batch of points to InfluxDB per call and resolves only when
// InfluxDB has acknowledged it. No client-side buffering and no client-side
// retries: the caller owns retrying, so a rejected promise always means "not
// written" and a resolved one "durable or refused point by point".
//
// The batch is POSTed through the client's own transport (same connection
// handling, timeout, auth and error type as its WriteApi) rather than through a
// WriteApi: the WriteApi's buffer re-measures and copies every line (about 7 µs
// per point here) and would add nothing, since each batch is one request anyway.
import { HttpError, type InfluxDB } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { ConsumerError } from './errors.ts';

export interface InfluxWriterOptions {
  client: InfluxDB;
  org: string;
  bucket: string;
  /** Gzip bodies larger than this; 0 never gzips. Default: 0 */
  gzipThresholdBytes?: number;
  logger: Logger;
}

export interface RejectedPoint {
  /** Index of the line in the written batch. */
  index: number;
  /** InfluxDB's reason. */
  reason: string;
}

export interface InfluxWriter {
  /**
   * Writes `lines` as one request. Resolves with the lines InfluxDB refused as
   * malformed (found by bisecting a 400/413/422 answer; the others are written),
   * rejects with a retriable CONSUMER_INFLUX_UNAVAILABLE when nothing can be said
   * to be written.
   */
  write(lines: readonly string[]): Promise<RejectedPoint[]>;
}

/** Statuses that blame the request's content rather than InfluxDB's state. */
const POINT_STATUSES = new Set([400, 413, 422]);

export function createInfluxWriter(options: InfluxWriterOptions): InfluxWriter {
  const logger = options.logger.child({ module: 'influx-writer' });
  const gzipThreshold = options.gzipThresholdBytes ? options.gzipThresholdBytes : undefined;

  const path = `/api/v2/write?org=${encodeURIComponent(options.org)}&bucket=${encodeURIComponent(options.bucket)}&precision=ns`;
  const sendOptions = { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, gzipThreshold };

  async function send(lines: readonly string[]): Promise<void> {
    await options.client.transport.request(path, lines.join('\n'), sendOptions);
  }

  async function isolate(lines: readonly string[], offset: number, rejected: RejectedPoint[]): Promise<void> {
    try {
      await send(lines);
      return;
    } catch (error) {
      if (!(error instanceof HttpError && POINT_STATUSES.has(error.statusCode))) {
        throw new ConsumerError('CONSUMER_INFLUX_UNAVAILABLE', describe(error), { cause: error });
      }
      if (lines.length === 1) {
        rejected.push({ index: offset, reason: `${error.statusCode} ${error.message}` });
        return;
      }
      logger.debug({ points: lines.length, status: error.statusCode }, 'InfluxDB refused a batch; bisecting to find the bad points');
    }
    const half = Math.ceil(lines.length / 2);
    await isolate(lines.slice(0, half), offset, rejected);
    await isolate(lines.slice(half), offset + half, rejected);
  }

  return {
    async write(lines) {
      const rejected: RejectedPoint[] = [];
      if (lines.length > 0) await isolate(lines, 0, rejected);
      return rejected;
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof HttpError) return `${error.statusCode} ${error.message}`;
  if (error instanceof Error) return `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`;
  return String(error);
}

/** True when InfluxDB answers /health with status pass within `timeoutMs`. */
export async function influxHealthy(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    return ((await response.json()) as { status?: string }).status === 'pass';
  } catch {
    return false;
  }
}
