import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { classify, createHttpSender, fetchTransport } from '../../src/transport/http.ts';
import type { TransportRequest, TransportResponse } from '../../src/types.ts';

const at = Date.parse('2026-01-01T00:00:00Z');

describe('response classification', () => {
  it('treats 2xx as delivered and passes per-event rejections on', () => {
    expect(
      classify({ status: 200, body: { accepted: 1, rejected: [{ index: 1, errors: ['bad'] }] } }, false, at),
    ).toEqual({ kind: 'ok', rejected: [{ index: 1, errors: ['bad'] }] });
    expect(classify({ status: 202 }, false, at)).toEqual({ kind: 'ok', rejected: [] });
  });

  it('retries network-ish failures and passes Retry-After on (seconds or a date) with the status', () => {
    expect(classify({ status: 503, retryAfter: '5' }, false, at)).toEqual({
      kind: 'retry',
      after: 5_000,
      status: 503,
      reason: 'HTTP 503',
    });
    expect(classify({ status: 503, retryAfter: 'Thu, 01 Jan 2026 00:00:30 GMT' }, false, at)).toMatchObject({
      after: 30_000,
    });
    // A date in the past (client clock ahead) reads as 0: the backoff alone decides.
    expect(classify({ status: 503, retryAfter: 'Wed, 31 Dec 2025 00:00:00 GMT' }, false, at)).toMatchObject({
      after: 0,
    });
    expect(classify({ status: 0 }, false, at)).toEqual({ kind: 'retry', reason: 'HTTP 0' });
    expect(classify({ status: 429, retryAfter: '1' }, false, at)).toMatchObject({ kind: 'retry', after: 1_000 });
    expect(classify({ status: 500 }, false, at)).toMatchObject({ kind: 'retry' });
    expect(classify({ status: 500 }, false, at)).not.toHaveProperty('after');
    expect(classify({ status: 408 }, false, at)).toMatchObject({ kind: 'retry' });
  });

  it('drops on other 4xx with the server’s code, and splits on 413', () => {
    expect(classify({ status: 400, body: { code: 'INGEST_INVALID_BATCH', message: 'nope' } }, false, at)).toEqual({
      kind: 'drop',
      reason: 'HTTP 400 INGEST_INVALID_BATCH: nope',
    });
    expect(classify({ status: 401 }, false, at)).toMatchObject({ kind: 'drop' });
    expect(classify({ status: 413 }, false, at)).toEqual({ kind: 'split' });
  });
});

describe('http sender', () => {
  function recorder(responses: TransportResponse[]) {
    const requests: TransportRequest[] = [];
    const transport = async (request: TransportRequest): Promise<TransportResponse> => {
      requests.push(request);
      return responses.shift() ?? { status: 200 };
    };
    return { requests, transport };
  }
  const big = JSON.stringify({ events: Array.from({ length: 50 }, (_, i) => ({ name: 'click', i })) });

  it('gzips large bodies as CORS text/plain with keepalive, and leaves small ones alone', async () => {
    const { requests, transport } = recorder([]);
    const sender = createHttpSender({
      url: 'https://in.example/v1/batch?writeKey=k',
      compress: true,
      timeout: 5_000,
      transport,
    });
    let dispatched = 0;
    await sender.send(big, () => dispatched++);
    await sender.send('{"small":1}', () => dispatched++);
    expect(dispatched).toBe(2);
    expect(requests[0]).toMatchObject({
      keepalive: true,
      headers: { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' },
    });
    expect(gunzipSync(requests[0]!.body as Uint8Array).toString()).toBe(big);
    expect(requests[1]).toEqual({
      url: 'https://in.example/v1/batch?writeKey=k',
      body: '{"small":1}',
      headers: { 'Content-Type': 'text/plain' },
      keepalive: true,
      timeout: 5_000,
    });
  });

  it('resends plain JSON at once, and from then on, when the server refuses gzip', async () => {
    const { requests, transport } = recorder([{ status: 415 }]);
    const sender = createHttpSender({ url: 'u', compress: true, timeout: 5_000, transport });
    expect(await sender.send(big, () => {})).toEqual({ kind: 'ok', rejected: [] });
    await sender.send(big, () => {});
    expect(requests.map((r) => r.body)).toEqual([expect.any(Uint8Array), big, big]);
  });

  it('reports a network error as retriable', async () => {
    const sender = createHttpSender({
      url: 'u',
      compress: false,
      timeout: 5_000,
      transport: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    expect(await sender.send('{}', () => {})).toEqual({ kind: 'retry', reason: 'network: Failed to fetch' });
  });

  it('aborts a request that gets no answer within the timeout and reports it as retriable', async () => {
    // A server that reads the request and never answers, like a hung proxy.
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch`;
    const sender = createHttpSender({ url, compress: false, timeout: 200, transport: fetchTransport });
    const started = Date.now();
    expect(await sender.send('{}', () => {})).toEqual({ kind: 'retry', reason: 'timeout: no answer within 200 ms' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
