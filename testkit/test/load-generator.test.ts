import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { validateEvent } from '@eventline/contract';
import { runLoad } from '../src/load/load-generator.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** Where runLoad sends, for a stand-in at `url`. */
const target = (url: string) => ({ ingestUrl: url, writeKey: 'k', origin: 'http://127.0.0.1' });

/** Serves `handler` on a free port as `server` (closed after each test); returns its URL. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** An ingest stand-in that answers 200 after a random delay and records how many batches of each session it holds at once. */
async function slowIngest(): Promise<{
  url: string;
  maxInFlightPerSession: () => number;
  seqsBySession: Map<string, number[]>;
}> {
  const inFlight = new Map<string, number>();
  const seqsBySession = new Map<string, number[]>();
  let max = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const events = (JSON.parse(body) as { events: Array<{ sessionId: string; seq: number }> }).events;
      const session = events[0]?.sessionId ?? '';
      inFlight.set(session, (inFlight.get(session) ?? 0) + 1);
      max = Math.max(max, inFlight.get(session) ?? 0);
      seqsBySession.set(session, [...(seqsBySession.get(session) ?? []), ...events.map((e) => e.seq)]);
      setTimeout(() => {
        inFlight.set(session, (inFlight.get(session) ?? 1) - 1);
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      }, Math.random() * 40);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, maxInFlightPerSession: () => max, seqsBySession };
}

describe('runLoad', () => {
  it('keeps at most one batch per session in flight, like the SDK queue, even with fewer sessions than requests', async () => {
    const ingest = await slowIngest();
    const report = await runLoad({
      ...target(ingest.url),
      totalEvents: 3_000,
      sessions: 10,
      concurrency: 16,
      batchSize: [5, 10],
    });
    expect(report.acknowledged.size).toBe(3_000);
    expect(ingest.maxInFlightPerSession()).toBe(1);
    // With one batch at a time, each session's numbers reach ingest in order.
    for (const seqs of ingest.seqsBySession.values()) expect(seqs).toEqual(seqs.map((_, i) => i));
    // About 300 requests with 0-40 ms answers take a second or two, many more on a machine shared by several test runs.
  }, 60_000);

  it('sends each event exactly as it reports it acknowledged, and every one is valid for ingest', async () => {
    const received: unknown[] = [];
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(...(JSON.parse(body) as { events: unknown[] }).events);
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    const report = await runLoad({
      ...target(url),
      // Several periods of the generator's descriptions, over a few sessions.
      totalEvents: 500,
      sessions: 3,
      concurrency: 3,
    });
    expect(received).toHaveLength(500);
    for (const event of received) {
      expect(validateEvent(event)).toMatchObject({ ok: true });
      expect(event).toEqual(report.acknowledged.get((event as { id: string }).id));
    }
    expect(new Set(received.map((e) => (e as { type: string }).type))).toEqual(
      new Set(['click', 'input', 'change', 'pageview', 'custom']),
    );
  });

  it('keeps sending other batches while refused ones wait out their Retry-After, and delivers the refused ones after', async () => {
    let refusals = 2;
    const url = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        if (refusals > 0) {
          refusals--;
          res.writeHead(503, { 'retry-after': '2', 'content-type': 'application/json' });
          return res.end('{}');
        }
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    const answers: { status: number; answeredAt: number }[] = [];
    const started = Date.now();
    const report = await runLoad({
      ...target(url),
      totalEvents: 1_000,
      batchSize: [10, 10],
      sessions: 200,
      // Both request slots are refused first: clients that slept holding them would send nothing for 2 s.
      concurrency: 2,
      onResponse: (response) => answers.push(response),
    });
    expect(report.acknowledged.size).toBe(1_000);
    expect(answers.filter((a) => a.status === 503)).toHaveLength(2);
    const beforeRetries = answers.filter((a) => a.status === 200 && a.answeredAt - started < 1_500);
    expect(beforeRetries.length).toBeGreaterThan(20);
  });

  it('retries with every slot and session taken: one session, one slot, its first request refused', async () => {
    let refusals = 1;
    const url = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(refusals-- > 0 ? 503 : 200, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    const report = await runLoad({
      ...target(url),
      totalEvents: 100,
      batchSize: [10, 10],
      sessions: 1,
      concurrency: 1,
    });
    expect(report.acknowledged.size).toBe(100);
    expect(report.statuses.get(503)).toBe(1);
  }, 10_000);
});
