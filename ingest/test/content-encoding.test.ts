import { once } from 'node:events';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipWithin } from '../src/content-encoding.ts';
import { IngestError } from '../src/errors.ts';

const LIMIT = 512 * 1024;
const MiB = 1024 * 1024;

/** Gzip members concatenated (gunzip reads them as one stream): `members` MiB of spaces in about a KiB each. */
function bomb(members: number): Buffer {
  return Buffer.concat(Array.from({ length: members }).fill(gzipSync(Buffer.alloc(MiB, 0x20))) as Buffer[]);
}

/** A request body arriving in 16 KiB chunks. */
function body(bytes: Buffer): Readable {
  const chunks = Array.from({ length: Math.ceil(bytes.length / 16_384) }, (_, i) =>
    bytes.subarray(i * 16_384, (i + 1) * 16_384),
  );
  return Readable.from(chunks, { objectMode: false });
}

async function readAll(stream: Readable): Promise<{ data: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { data: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { data: Buffer.concat(chunks), error };
  }
}

describe('gzip request bodies', () => {
  it('decodes a gzip body and counts its encoded bytes', async () => {
    const text = JSON.stringify({ sentAt: 1, events: Array.from({ length: 50 }, (_, i) => ({ i })) });
    const encoded = gzipSync(text);
    const decoded = gunzipWithin(body(encoded), LIMIT);
    const { data, error } = await readAll(decoded);
    expect(error).toBeUndefined();
    expect(data.toString()).toBe(text);
    expect(decoded.receivedEncodedLength).toBe(encoded.length);
  });

  it('stops inflating a bomb as soon as the decoded size passes the limit, and still drains the request', async () => {
    const encoded = bomb(2048); // 2 GiB once inflated
    const source = body(encoded);
    const gunzip = createGunzip();
    const drained = once(source, 'end');
    const started = performance.now();
    const { data, error } = await readAll(gunzipWithin(source, LIMIT, gunzip));
    await drained;
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).code).toBe('INGEST_PAYLOAD_TOO_LARGE');
    expect(data.length).toBeLessThanOrEqual(LIMIT);
    expect(gunzip.destroyed).toBe(true);
    // What went into the inflater, out of 2 MiB: a few KiB for the limit plus the stream buffers.
    expect(gunzip.bytesWritten).toBeLessThan(128 * 1024);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a body whose encoded size alone passes the limit', async () => {
    const incompressible = Buffer.from(
      Array.from({ length: LIMIT + 64 * 1024 }, (_, i) => (i * 7919 + (i >> 8) * 104729) & 0xff),
    );
    const { error } = await readAll(gunzipWithin(body(gzipSync(incompressible, { level: 0 })), LIMIT * 2));
    expect(error).toBeUndefined();
    const tight = await readAll(gunzipWithin(body(gzipSync(incompressible, { level: 0 })), LIMIT));
    expect((tight.error as IngestError).code).toBe('INGEST_PAYLOAD_TOO_LARGE');
  });

  it('reports a body that is not gzip as a zlib error', async () => {
    const { error } = await readAll(gunzipWithin(body(Buffer.from('not gzip at all')), LIMIT));
    expect((error as NodeJS.ErrnoException).code).toMatch(/^Z_/);
  });
});
