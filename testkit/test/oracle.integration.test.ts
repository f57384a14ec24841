import { FIELD, MEASUREMENT, TAG } from '@eventline/contract';
import { describe, expect, it } from 'vitest';
import { storedCounts } from '../src/load/oracle.ts';
import { createTestBucket, testInfra } from '../src/testing.ts';

interface StoredPoint {
  id: string;
  ms: number;
  type?: string;
  shard?: string;
}

/** Writes points (line protocol, ms precision) into `bucket`. */
async function write(bucket: string, points: StoredPoint[]) {
  const lines = points.map(
    ({ id, ms, type = 'click', shard = '0' }) =>
      `${MEASUREMENT},${TAG.site}=oracle,${TAG.shard}=${shard},${TAG.type}=${type} ${FIELD.id}="${id}" ${ms}`,
  );
  const response = await fetch(
    `${testInfra().influxUrl}/api/v2/write?bucket=${encodeURIComponent(bucket)}&precision=ms`,
    { method: 'POST', body: lines.join('\n') },
  );
  expect(response.status).toBe(204);
}

describe('storedCounts', () => {
  it('counts every point once over many minutes of event time, and finds an event stored at two points minutes apart', async () => {
    const bucket = await createTestBucket('oracle');
    const start = Date.UTC(2026, 11, 1, 10, 0, 0);
    // 5 minutes of points, a few per minute and two on one millisecond in different series.
    const points: StoredPoint[] = Array.from({ length: 50 }, (_, i) => ({ id: `e${i}`, ms: start + i * 6_001 }));
    points.push({ id: 'e-other-series', ms: start, type: 'input' });
    // e3 again, four minutes later: a doubled event the windows must not hide from each other.
    points.push({ id: 'e3', ms: start + 4 * 60_000 + 17 });
    await write(bucket, points);

    const acknowledged = new Map(
      [...points.map((p) => p.id), 'never-stored'].map((id) => [id, undefined] as [string, undefined]),
    );
    const counts = await storedCounts(testInfra().influxUrl, bucket, acknowledged);
    expect(counts).toMatchObject({ points: 52, distinctIds: 51, duplicates: 1, lost: 1, lostIds: ['never-stored'] });
    expect(counts.repeatedRows).toBe(0);
  });

  it('counts nothing in an empty bucket', async () => {
    const bucket = await createTestBucket('oracle-empty');
    expect(await storedCounts(testInfra().influxUrl, bucket)).toMatchObject({ points: 0, distinctIds: 0, lost: 0 });
  });
});
