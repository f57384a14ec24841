import { describe, expect, it } from 'vitest';
import { writeKeyFromBasicAuth } from '../../src/segment/basic-auth.ts';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('writeKeyFromBasicAuth', () => {
  it('reads the username of Basic credentials as the write key, with or without a password', () => {
    expect(writeKeyFromBasicAuth(basic('wk_123:'))).toBe('wk_123');
    expect(writeKeyFromBasicAuth(basic('wk_123'))).toBe('wk_123');
    expect(writeKeyFromBasicAuth(`basic ${Buffer.from('wk:').toString('base64')}`)).toBe('wk');
  });

  it('finds no key in other schemes, empty usernames or garbage', () => {
    expect(writeKeyFromBasicAuth(undefined)).toBeUndefined();
    expect(writeKeyFromBasicAuth('Bearer abc')).toBeUndefined();
    expect(writeKeyFromBasicAuth(basic(':secret'))).toBeUndefined();
    expect(writeKeyFromBasicAuth('Basic ***')).toBeUndefined();
  });
});
