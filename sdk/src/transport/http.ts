// Sends one batch body and classifies the answer: delivered (with per-event
// rejections), retry later (network, timeout, 408, 429, 5xx, with the server's
// Retry-After as a floor for the backoff), split (413), or drop (any other 4xx:
// retrying cannot fix it). Every request has a timeout, so one that hangs cannot
// stall the queue.
import { parseRetryAfter } from '@eventline/kit/backoff';
import type { Transport, TransportRequest, TransportResponse } from '../types.ts';

export type SendOutcome =
  | { kind: 'ok'; rejected: Array<{ index: number; errors?: unknown }> }
  /** `after`: the server's Retry-After in ms; `status`: the HTTP status when the server answered (absent for network errors and timeouts). */
  | { kind: 'retry'; after?: number; status?: number; reason: string }
  | { kind: 'split' }
  | { kind: 'drop'; reason: string };

export interface Sender {
  /** `dispatched` is called as soon as the request is on the network. */
  send(body: string, dispatched: () => void): Promise<SendOutcome>;
}

/** Below this, gzip rarely pays for its header. 1 KiB */
const GZIP_MIN_BYTES = 1024;

/** `fetch`, aborted after `request.timeout` ms (the rejection is a `TimeoutError`); the timeout covers reading the answer too. */
export const fetchTransport: Transport = async (request: TransportRequest): Promise<TransportResponse> => {
  const controller = new AbortController();
  // AbortSignal.timeout would do, but Safari has it only from 16.
  const timer =
    request.timeout === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new DOMException(`no answer within ${request.timeout} ms`, 'TimeoutError')),
          request.timeout,
        );
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      body: request.body as BodyInit,
      headers: request.headers,
      keepalive: request.keepalive,
      credentials: 'omit',
      signal: controller.signal,
    });
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    return { status: response.status, retryAfter: response.headers.get('Retry-After'), body };
  } finally {
    clearTimeout(timer);
  }
};

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function classify(response: TransportResponse, gzipped: boolean, now: number): SendOutcome {
  const { status } = response;
  const body = (response.body ?? {}) as { rejected?: unknown; code?: string; message?: string; retryAfter?: number };
  if (status >= 200 && status < 300) {
    return {
      kind: 'ok',
      rejected: Array.isArray(body.rejected) ? (body.rejected as Array<{ index: number; errors?: unknown }>) : [],
    };
  }
  if (status === 413) return { kind: 'split' };
  if (status === 415 && gzipped) return { kind: 'retry', status, reason: 'gzip refused' };
  if (status === 408 || status === 429 || status >= 500 || status === 0) {
    const after =
      parseRetryAfter(response.retryAfter, now) ??
      (typeof body.retryAfter === 'number' ? body.retryAfter * 1000 : undefined);
    return {
      kind: 'retry',
      ...(after === undefined ? {} : { after }),
      ...(status ? { status } : {}),
      reason: `HTTP ${status}${body.code ? ` ${body.code}` : ''}`,
    };
  }
  return {
    kind: 'drop',
    reason: `HTTP ${status}${body.code ? ` ${body.code}` : ''}${body.message ? `: ${body.message}` : ''}`,
  };
}

export function createHttpSender(options: {
  url: string;
  compress: boolean;
  timeout: number;
  transport: Transport;
  now?: () => number;
}): Sender {
  const now = options.now ?? Date.now;
  let compress = options.compress && typeof CompressionStream === 'function';
  return {
    async send(body, dispatched) {
      const outcome = await attempt(body, dispatched);
      if (outcome.kind !== 'retry' || outcome.reason !== 'gzip refused') return outcome;
      // A server (or proxy) that cannot read gzip gets plain JSON from now on, starting with this batch.
      compress = false;
      return attempt(body, () => {});
    },
  };

  async function attempt(body: string, dispatched: () => void): Promise<SendOutcome> {
    const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
    let payload: string | Uint8Array = body;
    if (compress && body.length >= GZIP_MIN_BYTES) {
      const zipped = await gzip(body);
      if (zipped.byteLength < body.length * 0.9) {
        payload = zipped;
        headers['Content-Encoding'] = 'gzip';
      }
    }
    let response: TransportResponse;
    try {
      const pending = options.transport({
        url: options.url,
        body: payload,
        headers,
        keepalive: true,
        timeout: options.timeout,
      });
      dispatched();
      response = await pending;
    } catch (error) {
      const { name, message } = (error ?? {}) as Partial<Error>;
      return {
        kind: 'retry',
        reason: `${name === 'TimeoutError' ? 'timeout' : 'network'}: ${message ?? String(error)}`,
      };
    }
    return classify(response, payload !== body, now());
  }
}
