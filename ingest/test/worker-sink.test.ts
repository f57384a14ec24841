import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { freePort } from '@eventline/infra';
import { SinkUnavailableError } from '../src/kafka/event-sink.ts';
import { createWorkerSink } from '../src/kafka/worker-sink.ts';
import { sleep } from '@eventline/testkit';

describe('worker sink', () => {
  it('starts its worker, refuses sends at once while no broker answers, and closes cleanly', async () => {
    const nobody = await freePort();
    const errors: string[] = [];
    const sink = createWorkerSink({
      settings: {
        brokers: [`127.0.0.1:${nobody}`],
        topic: 't',
        clientId: 'test',
        requestTimeoutMs: 500,
        retries: 1, // an idempotent producer refuses 0
        logLevel: 'silent',
      },
      logger: pino({ level: 'error' }, { write: (line: string) => void errors.push(line) }),
    });
    sink.start();
    await sleep(500);
    expect(sink.isReady()).toBe(false);
    // The worker runs (it is not ready only because no broker answers), rather than dying and being replaced.
    expect(errors).toEqual([]);
    await expect(sink.send([{ key: 'k', value: 'v', headers: {} }])).rejects.toBeInstanceOf(SinkUnavailableError);
    await sink.close();
    await expect(sink.send([{ key: 'k', value: 'v', headers: {} }])).rejects.toThrow(/closed/);
  });
});
