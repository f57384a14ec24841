// Writes one batch of points to InfluxDB per call and resolves only when
// InfluxDB has acknowledged it. No client-side buffering and no client-side
// retries: the caller owns retrying, so a rejected promise always means "not
// written" and a resolved one "durable or refused point by point". Only a
// refusal that names the points (unparsable, outside the retention policy, a
// field type conflict) refuses points; one about the request (database or
// retention policy missing, authorisation, a server limit) refuses the batch.
//
// The batch is POSTed through the client's own transport (same connection
// handling, timeout, auth and error type as its WriteApi) rather than through a
// WriteApi: the WriteApi's buffer re-measures and copies every line (about 7 µs
// per point here) and would add nothing, since each batch is one request anyway.
import { HttpError, RequestTimedOutError, type InfluxDB } from '@influxdata/influxdb-client';
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
   * Writes `lines` as one request. Resolves with the lines InfluxDB refused
   * (found by bisecting a refusal that names points; the others are written).
   * Rejects with a retriable error when nothing can be said to be written:
   * CONSUMER_INFLUX_TIMEOUT, CONSUMER_INFLUX_REFUSED (the request, not its
   * points, was refused, or every point was refused for a reason that is not
   * the points' own) or CONSUMER_INFLUX_UNAVAILABLE.
   */
  write(lines: readonly string[]): Promise<RejectedPoint[]>;
}

/**
 * What a failed write says about its lines, from InfluxDB 1.8.10's answers
 * (services/httpd/handler.go; InfluxDB 2 words the same reasons in a 422):
 * - `points`: 400 `partial write: …` or `unable to parse …`; the other lines of
 *   the request were written. `pointSpecific` when the line alone decides it
 *   (malformed, older than the retention policy keeps); a field type conflict
 *   depends on what the shard already holds, so it is not.
 * - `size`: 413, the body exceeds `max-body-size`; smaller requests may pass.
 * - `failed`: nothing about the points: 404 database not found, 500 retention
 *   policy not found, 401/403, any other 400 (e.g. max-series-per-database,
 *   shard pending deletion), 429, 5xx, no answer, timeout. Always retriable.
 */
export type WriteVerdict =
  | { kind: 'points'; reason: string; pointSpecific: boolean; dropped?: number }
  | { kind: 'size'; reason: string }
  | { kind: 'failed'; error: ConsumerError };

const POINT_SPECIFIC = /unable to parse '|points beyond retention policy|invalid field name/;
const SCHEMA_CONFLICT = /field type conflict/;

export function classifyWriteError(error: unknown): WriteVerdict {
  if (error instanceof RequestTimedOutError)
    return { kind: 'failed', error: new ConsumerError('CONSUMER_INFLUX_TIMEOUT', describe(error), { cause: error }) };
  if (!(error instanceof HttpError))
    return {
      kind: 'failed',
      error: new ConsumerError('CONSUMER_INFLUX_UNAVAILABLE', describe(error), { cause: error }),
    };
  const reason = `${error.statusCode} ${reasonOf(error)}`;
  const { statusCode } = error;
  if (statusCode === 413) return { kind: 'size', reason };
  if (statusCode === 400 || statusCode === 422) {
    const pointSpecific = POINT_SPECIFIC.test(reason);
    if (pointSpecific || SCHEMA_CONFLICT.test(reason)) {
      const dropped = /dropped=(\d+)\s*$/.exec(reason)?.[1];
      return { kind: 'points', reason, pointSpecific, ...(dropped === undefined ? {} : { dropped: Number(dropped) }) };
    }
  }
  const refusal = statusCode < 500 ? statusCode !== 429 : /not found/.test(reason);
  return {
    kind: 'failed',
    error: new ConsumerError(refusal ? 'CONSUMER_INFLUX_REFUSED' : 'CONSUMER_INFLUX_UNAVAILABLE', reason, {
      cause: error,
    }),
  };
}

interface Refusal extends RejectedPoint {
  pointSpecific: boolean;
}

export function createInfluxWriter(options: InfluxWriterOptions): InfluxWriter {
  const logger = options.logger.child({ module: 'influx-writer' });
  const gzipThreshold = options.gzipThresholdBytes ? options.gzipThresholdBytes : undefined;

  const path = `/api/v2/write?org=${encodeURIComponent(options.org)}&bucket=${encodeURIComponent(options.bucket)}&precision=ns`;
  const sendOptions = { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, gzipThreshold };

  async function send(lines: readonly string[]): Promise<void> {
    await options.client.transport.request(path, lines.join('\n'), sendOptions);
  }

  async function isolate(lines: readonly string[], offset: number, refused: Refusal[]): Promise<void> {
    let verdict: WriteVerdict;
    try {
      await send(lines);
      return;
    } catch (error) {
      verdict = classifyWriteError(error);
    }
    if (verdict.kind === 'failed') throw verdict.error;
    const pointSpecific = verdict.kind === 'points' && verdict.pointSpecific;
    // InfluxDB counts what it dropped: when that is every line, bisecting could only find them all again.
    const allDropped = verdict.kind === 'points' && verdict.dropped !== undefined && verdict.dropped >= lines.length;
    if (lines.length === 1 || allDropped) {
      lines.forEach((_, i) => refused.push({ index: offset + i, reason: verdict.reason, pointSpecific }));
      return;
    }
    logger.debug(
      { points: lines.length, reason: verdict.reason },
      'InfluxDB refused part of a batch; bisecting to find the refused points',
    );
    const half = Math.ceil(lines.length / 2);
    await isolate(lines.slice(0, half), offset, refused);
    await isolate(lines.slice(half), offset + half, refused);
  }

  return {
    async write(lines) {
      const refused: Refusal[] = [];
      if (lines.length > 0) await isolate(lines, 0, refused);
      // A batch refused as a whole for a cause outside the points (a shard whose field types
      // disagree with every point, a body limit below one line) is the database's doing:
      // dead-lettering it would empty the stream into the dead-letter topic.
      if (refused.length > 0 && refused.length === lines.length && refused.some((r) => !r.pointSpecific)) {
        throw new ConsumerError(
          'CONSUMER_INFLUX_REFUSED',
          `every point of the batch was refused, not for a reason of its own (${refused.find((r) => !r.pointSpecific)!.reason})`,
        );
      }
      return refused.map(({ index, reason }) => ({ index, reason }));
    },
  };
}

function reasonOf(error: HttpError): string {
  const json = error.json as { error?: unknown; message?: unknown } | undefined;
  if (typeof json?.error === 'string') return json.error;
  if (typeof json?.message === 'string') return json.message;
  return (error.body ?? error.statusMessage ?? error.message).trim();
}

function describe(error: unknown): string {
  if (error instanceof HttpError) return `${error.statusCode} ${reasonOf(error)}`;
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
