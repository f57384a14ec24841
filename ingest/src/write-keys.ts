// Which write keys exist and which page origins may use each. A key is public
// (it ships in page source); the origin check is what ties it to its sites.
import type { WriteKey } from './config.ts';
import { IngestError } from './errors.ts';

export interface WriteKeyRegistry {
  lookup(key: string): WriteKey | undefined;
  /** Whether a page on `origin` may send with `key`. */
  allows(key: WriteKey, origin: string): boolean;
  /** For preflights that do not name a key: whether any key allows `origin`. */
  anyAllows(origin: string): boolean;
  /** Throws `INGEST_ORIGIN_NOT_ALLOWED` when a request's `Origin` header is one `key` does not allow. */
  checkOrigin(key: WriteKey, origin: string | undefined): void;
}

export function createWriteKeyRegistry(keys: readonly WriteKey[]): WriteKeyRegistry {
  const byKey = new Map(keys.map((k) => [k.key, { entry: k, origins: new Set(k.origins) }]));
  const allows = (key: WriteKey, origin: string) => {
    const origins = byKey.get(key.key)?.origins;
    return origins !== undefined && (origins.has('*') || origins.has(origin));
  };
  return {
    lookup: (key) => byKey.get(key)?.entry,
    allows,
    anyAllows: (origin) => keys.some((k) => allows(k, origin)),
    checkOrigin: (key, origin) => {
      // No Origin header: not a browser page (which always sends one on POST), and
      // any other client could forge it anyway. The key alone decides.
      if (origin !== undefined && !allows(key, origin)) {
        throw new IngestError('INGEST_ORIGIN_NOT_ALLOWED', `Origin ${origin.slice(0, 200)} may not use this write key`);
      }
    },
  };
}
