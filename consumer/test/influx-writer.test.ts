import { HttpError, InfluxDB, RequestTimedOutError } from '@influxdata/influxdb-client';
import { freePort } from '@eventline/infra';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../src/errors.ts';
import { classifyWriteError, createInfluxWriter, influxHealthy } from '../src/influx-writer.ts';

/** An InfluxDB answer as the client reports it; the bodies below are what InfluxDB 1.8.10 sent to /api/v2/write. */
const answer = (status: number, error: string) =>
  new HttpError(status, 'status text', `${JSON.stringify({ error })}\n`, undefined, 'application/json');

describe('classifyWriteError', () => {
  it.each([
    [
      'a line that does not parse',
      answer(400, "partial write: unable to parse 'm f=garbage= 1796168037671853142': invalid boolean dropped=0"),
      true,
      0,
    ],
    [
      'a batch where no line parses',
      answer(
        400,
        `unable to parse 'm f=1i 99999999999999999999': strconv.ParseInt: parsing "99999999999999999999": value out of range`,
      ),
      true,
      undefined,
    ],
    [
      'a point older than the retention policy keeps',
      answer(400, 'partial write: points beyond retention policy dropped=1'),
      true,
      1,
    ],
    [
      'a field type conflict with the shard',
      answer(
        400,
        'partial write: field type conflict: input field "f" on measurement "m" is type float, already exists as type integer dropped=3',
      ),
      false,
      3,
    ],
    [
      'the same in InfluxDB 2 words',
      new HttpError(
        422,
        'Unprocessable Entity',
        '{"code":"unprocessable entity","message":"failure writing points to database: partial write: points beyond retention policy dropped=2"}',
        undefined,
        'application/json',
      ),
      true,
      2,
    ],
  ])('blames the points for %s', (_, error, pointSpecific, dropped) => {
    const verdict = classifyWriteError(error);
    expect(verdict).toMatchObject({ kind: 'points', pointSpecific });
    if (verdict.kind === 'points') expect(verdict.dropped).toBe(dropped);
  });

  it('splits a body above max-body-size', () => {
    expect(classifyWriteError(answer(413, 'Request Entity Too Large'))).toEqual({
      kind: 'size',
      reason: '413 Request Entity Too Large',
    });
  });

  it.each([
    ['a missing database', answer(404, 'database not found: "nodb"'), 'CONSUMER_INFLUX_REFUSED'],
    [
      'a bucket without a retention policy',
      answer(404, 'bucket name "" is missing a slash; not in "database/retention-policy" format'),
      'CONSUMER_INFLUX_REFUSED',
    ],
    ['a missing retention policy', answer(500, 'retention policy not found: norp'), 'CONSUMER_INFLUX_REFUSED'],
    ['missing credentials', answer(401, 'unable to parse authentication credentials'), 'CONSUMER_INFLUX_REFUSED'],
    ['wrong credentials', answer(401, 'authorization failed'), 'CONSUMER_INFLUX_REFUSED'],
    [
      'a user without write permission',
      answer(403, '"bob" user is not authorized to write to database "db"'),
      'CONSUMER_INFLUX_REFUSED',
    ],
    [
      'the series limit of the database',
      answer(400, 'partial write: max-series-per-database limit exceeded: (1000) dropped=5'),
      'CONSUMER_INFLUX_REFUSED',
    ],
    [
      'a shard being deleted',
      answer(400, 'partial write: shard 7 is pending deletion dropped=5'),
      'CONSUMER_INFLUX_REFUSED',
    ],
    ['a request without a database', answer(400, 'database is required'), 'CONSUMER_INFLUX_REFUSED'],
    ['an overloaded server', answer(503, 'Service Unavailable'), 'CONSUMER_INFLUX_UNAVAILABLE'],
    ['a rate limit', answer(429, 'Too Many Requests'), 'CONSUMER_INFLUX_UNAVAILABLE'],
    ['a server timeout', answer(500, 'timeout'), 'CONSUMER_INFLUX_UNAVAILABLE'],
    ['a client timeout', new RequestTimedOutError(), 'CONSUMER_INFLUX_TIMEOUT'],
    [
      'no answer',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' }),
      'CONSUMER_INFLUX_UNAVAILABLE',
    ],
  ])('blames the request, retriably, for %s', (_, error, code) => {
    const verdict = classifyWriteError(error);
    expect(verdict.kind).toBe('failed');
    if (verdict.kind === 'failed') expect(verdict.error).toMatchObject({ code, retriable: true, cause: error });
  });
});

describe('influx writer', () => {
  it('rejects with a retriable CONSUMER_INFLUX_UNAVAILABLE when InfluxDB cannot be reached', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const writer = createInfluxWriter({
      client: new InfluxDB({ url, timeout: 1_000 }),
      org: '',
      bucket: 'db/rp',
      logger: pino({ level: 'silent' }),
    });
    const error = await writer.write(['m f=1i 1']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerError);
    expect(error).toMatchObject({ code: 'CONSUMER_INFLUX_UNAVAILABLE', retriable: true });
    expect(await influxHealthy(url, 500)).toBe(false);
  });

  it('does not send an empty batch', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const writer = createInfluxWriter({
      client: new InfluxDB({ url }),
      org: '',
      bucket: 'db/rp',
      logger: pino({ level: 'silent' }),
    });
    expect(await writer.write([])).toEqual([]);
  });
});
