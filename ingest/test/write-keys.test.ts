import { describe, expect, it } from 'vitest';
import { createWriteKeyRegistry } from '../src/write-keys.ts';

const registry = createWriteKeyRegistry([
  { key: 'shop-key', site: 'shop', origins: ['https://shop.example', 'https://www.shop.example'] },
  { key: 'open-key', site: 'open', origins: ['*'] },
]);

describe('write key registry', () => {
  it('finds configured keys only', () => {
    expect(registry.lookup('shop-key')?.site).toBe('shop');
    expect(registry.lookup('nope')).toBeUndefined();
    expect(registry.lookup('__proto__')).toBeUndefined();
  });

  it("allows exactly a key's own origins, or any with *", () => {
    const shop = registry.lookup('shop-key')!;
    expect(registry.allows(shop, 'https://www.shop.example')).toBe(true);
    expect(registry.allows(shop, 'http://shop.example')).toBe(false);
    expect(registry.allows(shop, 'https://shop.example:8443')).toBe(false);
    expect(registry.allows(registry.lookup('open-key')!, 'null')).toBe(true);
  });

  it('tells whether any key allows an origin', () => {
    const strict = createWriteKeyRegistry([{ key: 'k', site: 's', origins: ['https://a.example'] }]);
    expect(strict.anyAllows('https://a.example')).toBe(true);
    expect(strict.anyAllows('https://b.example')).toBe(false);
  });

  it('refuses a page origin the key does not list, and leaves requests without an Origin to the key', () => {
    const shop = registry.lookup('shop-key')!;
    expect(() => registry.checkOrigin(shop, 'https://shop.example')).not.toThrow();
    expect(() => registry.checkOrigin(shop, undefined)).not.toThrow();
    expect(() => registry.checkOrigin(shop, 'https://evil.example')).toThrow(
      expect.objectContaining({
        code: 'INGEST_ORIGIN_NOT_ALLOWED',
        message: expect.stringContaining('https://evil.example'),
      }),
    );
  });
});
