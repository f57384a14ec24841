// Read-only share links: a JWT (HS256, via jose) naming one site, optional
// filters and an expiry, signed with the dashboard's share key. Whoever holds
// one can read that site's answers through those filters until it expires, and
// nothing else. Links are revoked all at once by rotating the key: a link
// verifies only while the key that signed it (its `kid`) is still configured.
import { createHash, createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** What a share link lets its holder read. */
export interface ShareScope {
  readonly site: string;
  /** Answer filters (`dimension:value`) every request through the link carries. */
  readonly filters: readonly string[];
  /** When the link stops working, ms since the epoch. */
  readonly expiresAt: number;
}

export interface ShareKeys {
  /** Signs new links. */
  readonly signing: { readonly kid: string; readonly key: Uint8Array };
  /** Every key a link may have been signed with, by kid (the signing key included). */
  readonly verifying: ReadonlyMap<string, Uint8Array>;
}

const AUDIENCE = 'eventline-share';
const ALGORITHM = 'HS256';

const kidOf = (key: Uint8Array) => createHash('sha256').update(key).digest('hex').slice(0, 12);

/**
 * The share keys from configured secrets (the first signs, all verify), or,
 * when none is configured, one derived from the read token: then changing the
 * token revokes every link.
 */
export function shareKeys(secrets: readonly string[], readToken: string): ShareKeys {
  const keys = secrets.length
    ? secrets.map((secret) => new TextEncoder().encode(secret))
    : [new Uint8Array(createHmac('sha256', readToken).update('eventline share links v1').digest())];
  const [first] = keys as [Uint8Array, ...Uint8Array[]];
  return {
    signing: { kid: kidOf(first), key: first },
    verifying: new Map(keys.map((key) => [kidOf(key), key])),
  };
}

/** A signed link token for `scope`. */
export async function signShare(keys: ShareKeys, scope: ShareScope): Promise<string> {
  return new SignJWT({ site: scope.site, filters: scope.filters })
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.signing.kid })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(scope.expiresAt / 1000))
    .sign(keys.signing.key);
}

/** Why a token is not a share link this server honours. */
export type ShareRejection = 'malformed' | 'expired' | 'revoked';

/** The scope of a valid link, or why it is not one. Never throws. */
export async function verifyShare(
  keys: ShareKeys,
  token: string,
): Promise<{ scope: ShareScope } | { rejected: ShareRejection }> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : keys.verifying.get(header.kid);
        if (!key) throw new RevokedKey();
        return key;
      },
      { audience: AUDIENCE, algorithms: [ALGORITHM], requiredClaims: ['exp'] },
    );
    const scope = toScope(payload);
    return scope ? { scope } : { rejected: 'malformed' };
  } catch (error) {
    if (error instanceof RevokedKey) return { rejected: 'revoked' };
    if (error instanceof errors.JWTExpired) return { rejected: 'expired' };
    return { rejected: 'malformed' };
  }
}

class RevokedKey extends Error {}

function toScope(payload: JWTPayload): ShareScope | undefined {
  const { site, filters, exp } = payload;
  if (typeof site !== 'string' || typeof exp !== 'number') return undefined;
  if (!Array.isArray(filters) || !filters.every((filter) => typeof filter === 'string')) return undefined;
  return { site, filters: filters as string[], expiresAt: exp * 1000 };
}
