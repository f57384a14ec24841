import { describe, expect, it } from 'vitest';
import { maskUrl } from '../../src/capture/mask-url.ts';

describe('URL masking', () => {
  it('drops the values of common secrets in the query and the fragment, keeping the names', () => {
    expect(maskUrl('https://shop.example/reset?token=abc&lang=en')).toBe('https://shop.example/reset?token=&lang=en');
    expect(maskUrl('https://shop.example/cb#access_token=xyz&state=1')).toBe(
      'https://shop.example/cb#access_token=&state=1',
    );
    expect(maskUrl('https://shop.example/#/signup?email=jane%40example.com&plan=pro')).toBe(
      'https://shop.example/#/signup?email=&plan=pro',
    );
  });

  it('recognises secrets as whole words of the name, in any case or style', () => {
    const masked = (name: string): boolean => maskUrl(`https://x.example/?${name}=v`).endsWith('=');
    for (const name of ['password', 'userEmail', 'reset_token', 'API-KEY', 'apiKey', 'code', 'sessionId', 'phone'])
      expect(masked(name), name).toBe(true);
    for (const name of ['q', 'monkey', 'utm_campaign', 'page', 'sort', 'decode', 'keyboard'])
      expect(masked(name), name).toBe(false);
  });

  it('keeps only allowlisted parameters when an allowlist is given', () => {
    expect(maskUrl('https://x.example/?q=shoes&utm_source=mail&token=a#frag', ['q', 'UTM_SOURCE'])).toBe(
      'https://x.example/?q=shoes&utm_source=mail&token=#frag',
    );
    expect(maskUrl('https://x.example/?q=shoes', [])).toBe('https://x.example/?q=');
  });

  it('leaves URLs without parameters alone, and names it cannot decode are compared as they are', () => {
    expect(maskUrl('https://x.example/a/b#section')).toBe('https://x.example/a/b#section');
    expect(maskUrl('https://x.example/?%E0%A4%A=1&token=2')).toBe('https://x.example/?%E0%A4%A=1&token=');
  });
});
