import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { validateEnrichedEvent } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { createUserAgentParser } from '../src/user-agent.ts';

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe('user agent parsing', () => {
  const parser = createUserAgentParser();

  it('names browser, version, OS and device class', () => {
    expect(parser.parse(CHROME_LINUX)).toEqual({
      browser: 'Chrome',
      browserVersion: '156.0.0.0',
      os: 'Linux',
      device: 'desktop',
    });
    expect(parser.parse(IPHONE)).toEqual({
      browser: 'Mobile Safari',
      browserVersion: '17.0',
      os: 'iOS',
      device: 'mobile',
    });
  });

  it('marks crawlers and headless browsers as bots, and only them', () => {
    expect(parser.parse('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)').bot).toBe(true);
    expect(parser.parse(CHROME_LINUX.replace('Chrome/', 'HeadlessChrome/')).bot).toBe(true);
    expect(parser.parse(CHROME_LINUX)).not.toHaveProperty('bot');
    expect(parser.parse(IPHONE)).not.toHaveProperty('bot');
  });

  it('gives what it can tell of a missing, partial or unknown header', () => {
    expect(parser.parse(undefined)).toEqual({});
    expect(parser.parse('Mozilla/5.0 (X11; Linux x86_64)')).toEqual({ os: 'Linux' });
    // A script's HTTP client, or a header no browser sends, is no person: only the bot flag is known of it.
    expect(parser.parse('curl/8.0')).toEqual({ bot: true });
    expect(parser.parse('something-unheard-of')).toEqual({ bot: true });
  });

  it('keeps every field within the enriched schema, whatever the header', () => {
    const hostile = `Mozilla/5.0 (X11; Linux x86_64) Chrome/${'9'.repeat(500)} ${'x'.repeat(5000)}`;
    const userAgent = parser.parse(hostile);
    const enriched = { event: sampleEvent(), site: 's', receivedAt: 1, eventTime: 1, userAgent };
    expect(validateEnrichedEvent(enriched).ok).toBe(true);
  });

  it('returns the cached result for a repeated header and bounds the cache', () => {
    const small = createUserAgentParser({ cacheSize: 2 });
    const first = small.parse(CHROME_LINUX);
    expect(small.parse(CHROME_LINUX)).toBe(first);
    small.parse(IPHONE);
    small.parse('Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/140.0');
    expect(small.parse(CHROME_LINUX)).not.toBe(first);
    expect(small.parse(CHROME_LINUX)).toEqual(first);
  });

  it('uses a parser under a licence an MIT project can ship (ua-parser-js 2.x is AGPL-3.0)', () => {
    const manifest = createRequire(import.meta.url)('ua-parser-js/package.json') as { license: string };
    expect(manifest.license).toBe('MIT');
  });
});
