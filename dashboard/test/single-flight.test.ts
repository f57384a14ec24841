import { describe, expect, it } from 'vitest';
import { createSingleFlight } from '../src/server/single-flight.ts';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
};

describe('createSingleFlight', () => {
  it('runs identical work once while it runs, apart for other keys, and again once it settled', async () => {
    const flight = createSingleFlight<number>();
    const started: string[] = [];
    const scan = deferred<number>();
    const work = (key: string, answer: Promise<number>) => () => {
      started.push(key);
      return answer;
    };
    const first = flight.run('30d', work('30d', scan.promise));
    const second = flight.run('30d', work('30d', Promise.resolve(-1)));
    const other = flight.run('7d', work('7d', Promise.resolve(7)));
    expect(flight.running).toBe(2);
    scan.resolve(30);
    expect(await Promise.all([first, second, other])).toEqual([30, 30, 7]);
    expect(started).toEqual(['30d', '7d']);
    expect(flight.running).toBe(0);
    expect(await flight.run('30d', work('30d', Promise.resolve(31)))).toBe(31);
    expect(started).toEqual(['30d', '7d', '30d']);
  });

  it('shares a failure with everyone waiting, and does not keep it', async () => {
    const flight = createSingleFlight<number>();
    const scan = deferred<number>();
    const waiting = [flight.run('k', () => scan.promise), flight.run('k', () => Promise.resolve(1))];
    scan.reject(new Error('InfluxDB timed out'));
    for (const result of await Promise.allSettled(waiting))
      expect(result).toMatchObject({ status: 'rejected', reason: { message: 'InfluxDB timed out' } });
    expect(await flight.run('k', () => Promise.resolve(2))).toBe(2);
  });
});
