// Undoes a request's Content-Encoding before Fastify reads the body, so the body
// limit applies to the decoded bytes. Inflating stops the moment the decoded
// size passes the limit: a gzip bomb costs at most the limit's worth of
// inflation, whatever it would expand to. The rest of its body is still read
// off the connection, without being inflated, so the 413 gets through and the
// connection stays usable.
import { Transform, type Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { preParsingAsyncHookHandler } from 'fastify';
import { IngestError } from './errors.ts';

/** A decoded body, with the encoded length Fastify's body reader checks against Content-Length. */
export type DecodedBody = Transform & { receivedEncodedLength: number };

export function createContentDecoder(limitBytes: number): preParsingAsyncHookHandler {
  return async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' || encoding === '') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip') {
      throw new IngestError('INGEST_UNSUPPORTED_ENCODING', `got "${encoding.slice(0, 40)}"`);
    }
    return gunzipWithin(payload, limitBytes);
  };
}

/** `payload` inflated; fails with INGEST_PAYLOAD_TOO_LARGE, and stops `gunzip`, once more than `limitBytes` come out (or go in). */
export function gunzipWithin(payload: Readable, limitBytes: number, gunzip: Gunzip = createGunzip()): DecodedBody {
  const tooLarge = () => new IngestError('INGEST_PAYLOAD_TOO_LARGE', `it decodes to more than ${limitBytes} bytes`);
  let decodedBytes = 0;
  const decoded: DecodedBody = Object.assign(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        decodedBytes += chunk.length;
        // Refused before it is passed on, so Fastify's own count never sees more than the limit.
        if (decodedBytes > limitBytes) callback(tooLarge());
        else callback(null, chunk);
      },
    }),
    { receivedEncodedLength: 0 },
  );
  payload.on('data', (chunk: Buffer) => {
    decoded.receivedEncodedLength += chunk.length;
    if (decoded.receivedEncodedLength > limitBytes && !decoded.destroyed) decoded.destroy(tooLarge());
  });
  payload.on('error', (error) => decoded.destroy(error));
  gunzip.on('error', (error) => decoded.destroy(error));
  // Once the decoded body failed (or ended), free the inflater and let what is
  // left of the request drain through the counting listener (unpipe pauses the
  // source, hence the resume). When a refusal means the body is never read, an
  // 'error' nobody listens to would crash the process, hence the empty listener.
  decoded.on('error', () => {});
  decoded.once('close', () => {
    payload.unpipe(gunzip);
    gunzip.destroy();
    payload.resume();
  });
  payload.pipe(gunzip).pipe(decoded);
  return decoded;
}
