import { describe, expect, it } from 'vitest';
import { shareKeys, signShare, verifyShare, type ShareScope } from '../src/server/share-links.ts';

const SECRET_A = 'a'.repeat(32);
const SECRET_B = 'b'.repeat(32);
const inAnHour = () => Date.now() + 3_600_000;
const scope = (overrides: Partial<ShareScope> = {}): ShareScope => ({
  site: 'shop',
  filters: ['path:/pricing'],
  expiresAt: inAnHour(),
  ...overrides,
});

describe('share links', () => {
  it('gives back the site, filters and expiry it was signed with', async () => {
    const keys = shareKeys([SECRET_A], 'read-token');
    const signed = scope();
    const result = await verifyShare(keys, await signShare(keys, signed));
    expect(result).toEqual({ scope: { ...signed, expiresAt: Math.floor(signed.expiresAt / 1000) * 1000 } });
  });

  it('refuses an expired link', async () => {
    const keys = shareKeys([SECRET_A], 'read-token');
    const token = await signShare(keys, scope({ expiresAt: Date.now() - 60_000 }));
    expect(await verifyShare(keys, token)).toEqual({ rejected: 'expired' });
  });

  it('keeps old links working while their key is still listed, and revokes them once it is removed', async () => {
    const before = shareKeys([SECRET_A], 'read-token');
    const token = await signShare(before, scope());
    const rotating = shareKeys([SECRET_B, SECRET_A], 'read-token');
    expect(await verifyShare(rotating, token)).toHaveProperty('scope.site', 'shop');
    expect(rotating.signing.kid).not.toBe(before.signing.kid);
    expect(await verifyShare(shareKeys([SECRET_B], 'read-token'), token)).toEqual({ rejected: 'revoked' });
  });

  it('derives a key from the read token when none is configured, so a new token revokes every link', async () => {
    const keys = shareKeys([], 'read-token');
    const token = await signShare(keys, scope());
    expect(await verifyShare(shareKeys([], 'read-token'), token)).toHaveProperty('scope.site', 'shop');
    expect(await verifyShare(shareKeys([], 'another-token'), token)).toEqual({ rejected: 'revoked' });
  });

  it('refuses a link whose scope was edited after signing', async () => {
    const keys = shareKeys([SECRET_A], 'read-token');
    const [header, payload, signature] = (await signShare(keys, scope())).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, site: 'other', filters: [] })).toString('base64url');
    expect(await verifyShare(keys, `${header}.${widened}.${signature}`)).toEqual({ rejected: 'malformed' });
  });

  it('refuses unsigned tokens and tokens that are not share links', async () => {
    const keys = shareKeys([SECRET_A], 'read-token');
    const claims = Buffer.from(JSON.stringify({ site: 'shop', filters: [], aud: 'eventline-share', exp: 2e9 }));
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: keys.signing.kid })).toString('base64url');
    expect(await verifyShare(keys, `${header}.${claims.toString('base64url')}.`)).toEqual({ rejected: 'malformed' });
    expect(await verifyShare(keys, 'read-token')).toEqual({ rejected: 'malformed' });
    expect(await verifyShare(keys, '')).toEqual({ rejected: 'malformed' });
  });
});
