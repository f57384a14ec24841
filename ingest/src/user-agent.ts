// Turns a User-Agent header into the browser, version, OS and device class the
// enriched event carries, and whether it is a bot (isbot's maintained pattern list), with ua-parser-js 1.x (MIT; 2.x is AGPL-3.0, which an
// MIT project cannot ship). Parsing costs ~0.1 ms, and a site's visitors share
// few distinct headers, so results are kept in a small LRU cache.
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';
import type { UserAgent } from '@eventline/contract';

/** Longest header that is parsed; longer ones are garbage or attacks. 1 KiB */
const MAX_HEADER_LENGTH = 1024;

export interface UserAgentParser {
  parse(header: string | undefined): UserAgent;
}

export function createUserAgentParser(options: { cacheSize?: number } = {}): UserAgentParser {
  const cacheSize = options.cacheSize ?? 1000;
  const cache = new Map<string, UserAgent>();
  return {
    parse(header) {
      if (!header) return {};
      const cached = cache.get(header);
      if (cached) {
        cache.delete(header);
        cache.set(header, cached);
        return cached;
      }
      const parsed = describe(header.slice(0, MAX_HEADER_LENGTH));
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(header, parsed);
      return parsed;
    },
  };
}

function describe(header: string): UserAgent {
  const { browser, os, device } = UAParser(header);
  const result: UserAgent = {};
  // Lengths follow UserAgentSchema in the contract.
  if (browser.name) result.browser = browser.name.slice(0, 64);
  if (browser.version) result.browserVersion = browser.version.slice(0, 32);
  if (os.name) result.os = os.name.slice(0, 64);
  const deviceType = device.type ?? (browser.name ? 'desktop' : undefined);
  if (deviceType) result.device = deviceType.slice(0, 32);
  if (isbot(header)) result.bot = true;
  return Object.freeze(result);
}
