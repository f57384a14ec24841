// Test doubles for the browser tests: a stand-in for the ingest service that
// implements the wire contract (validates every event with the contract's
// validator, answers CORS, records every request, stores events by id like
// storage does), and a static site serving test pages and the built dist/.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { validateEvent, type Event } from '@eventline/contract';

export const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Body as sent (decompressed when gzip), or '' for preflights. */
  body: string;
  gzip: boolean;
  status: number;
}

export interface IngestStub {
  url: string;
  requests: RecordedRequest[];
  /** Accepted events by id: what storage would hold after deduplication. */
  stored: Map<string, Event>;
  /** Every accepted event, duplicates included. */
  received: Event[];
  /** Answers the next `count` batch requests with `status` (and Retry-After seconds). */
  failNext(count: number, status: number, retryAfter?: number): void;
  /** Answers normally again. */
  recover(): void;
  /** Resolves once `predicate` holds after a stored batch (or rejects after `timeoutMs`). */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Stored events matching `filter`. */
  find(filter: (event: Event) => boolean): Event[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startIngestStub(): Promise<IngestStub> {
  const requests: RecordedRequest[] = [];
  const stored = new Map<string, Event>();
  const received: Event[] = [];
  const failures: Array<{ status: number; retryAfter?: number }> = [];
  const waiters = new Set<() => void>();

  const cors = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, content-encoding');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    res.setHeader('Access-Control-Max-Age', '600');
    res.setHeader('Vary', 'Origin');
  };
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      cors(req, res);
      const record: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: '',
        gzip: false,
        status: 0,
      };
      requests.push(record);
      if (req.method === 'OPTIONS') {
        record.status = 204;
        res.statusCode = 204;
        return res.end();
      }
      const raw = await readBody(req);
      record.gzip = req.headers['content-encoding'] === 'gzip';
      record.body = (record.gzip ? gunzipSync(raw) : raw).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://stub');
      if (req.method !== 'POST' || url.pathname !== '/v1/batch')
        return json(res, (record.status = 404), {
          statusCode: 404,
          code: 'NOT_FOUND',
          error: 'Not Found',
          message: 'no route',
        });
      const failure = failures.shift();
      if (failure) {
        if (failure.retryAfter !== undefined) res.setHeader('Retry-After', String(failure.retryAfter));
        return json(res, (record.status = failure.status), {
          statusCode: failure.status,
          code: 'STUB_FAILURE',
          error: 'Failure',
          message: 'injected by the test',
        });
      }
      let batch: { writeKey?: unknown; sentAt?: unknown; events?: unknown };
      try {
        batch = JSON.parse(record.body) as typeof batch;
      } catch {
        return json(res, (record.status = 400), {
          statusCode: 400,
          code: 'INGEST_INVALID_JSON',
          error: 'Bad Request',
          message: 'body is not JSON',
        });
      }
      if (
        !url.searchParams.get('writeKey') ||
        typeof batch.sentAt !== 'number' ||
        !Array.isArray(batch.events) ||
        batch.events.length === 0 ||
        batch.events.length > 500
      ) {
        return json(res, (record.status = 400), {
          statusCode: 400,
          code: 'INGEST_INVALID_BATCH',
          error: 'Bad Request',
          message: 'not a batch',
        });
      }
      const rejected: Array<{ index: number; errors: unknown }> = [];
      batch.events.forEach((candidate, index) => {
        const result = validateEvent(candidate);
        if (!result.ok) return void rejected.push({ index, errors: result.issues });
        received.push(result.value);
        if (!stored.has(result.value.id)) stored.set(result.value.id, result.value);
      });
      for (const wake of waiters) wake();
      json(res, (record.status = 200), {
        accepted: batch.events.length - rejected.length,
        rejected,
        serverTime: Date.now(),
      });
    })();
  });
  const url = await listen(server);
  return {
    url,
    requests,
    stored,
    received,
    failNext(count, status, retryAfter) {
      for (let i = 0; i < count; i++) failures.push({ status, ...(retryAfter === undefined ? {} : { retryAfter }) });
    },
    recover: () => void failures.splice(0),
    until(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `condition not met within ${timeoutMs} ms; stored: ${JSON.stringify([...stored.values()].map((e) => [e.type, e.name]))}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    find: (filter) => [...stored.values()].filter(filter),
    close: () => close(server),
  };
}

export interface TestPage {
  html: string;
  /** Extra response headers, e.g. a Content-Security-Policy. */
  headers?: Record<string, string>;
}

export interface TestSite {
  url: string;
  /** Serves `html` at `path` (e.g. '/a'). */
  page(path: string, page: TestPage): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.map': 'application/json', '.html': 'text/html' };

/** A static site: test pages from memory, the built SDK under /sdk/; `headers` go on every response. */
export async function startSite(headers: Record<string, string> = {}): Promise<TestSite> {
  const pages = new Map<string, TestPage>();
  const server = createServer((req, res) => {
    void (async () => {
      // Full Referer even cross-origin, so the ingest stub can tell a request
      // of the worker (its script URL) from one of the page (the page URL).
      res.setHeader('Referrer-Policy', 'unsafe-url');
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      const path = new URL(req.url ?? '/', 'http://site').pathname;
      if (path.startsWith('/sdk/') && /^[\w.-]+$/.test(path.slice(5))) {
        try {
          const body = await readFile(distDir + path.slice(5));
          res.setHeader('Content-Type', TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream');
          return res.end(body);
        } catch {
          res.statusCode = 404;
          return res.end();
        }
      }
      const page = pages.get(path);
      if (!page) {
        res.statusCode = 404;
        return res.end('not found');
      }
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      for (const [name, value] of Object.entries(page.headers ?? {})) res.setHeader(name, value);
      res.end(page.html);
    })();
  });
  const url = await listen(server);
  return { url, page: (path, page) => void pages.set(path, page), close: () => close(server) };
}
