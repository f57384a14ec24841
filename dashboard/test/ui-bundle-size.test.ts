// The UI's initial JavaScript (what index.html loads before anything renders)
// stays within its budget, measured gzipped on the production build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { builtUi } from './ui-build.ts';

/** 60 KiB gzip: the budget for the Analyze page's initial JavaScript. */
const BUDGET_BYTES = 60 * 1024;

describe('the UI bundle', () => {
  it('loads at most 60 KiB of gzipped JavaScript up front', async () => {
    const dir = await builtUi();
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const scripts = [
      ...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g),
    ].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((sum, src) => sum + gzipSync(readFileSync(join(dir, src)), { level: 9 }).length, 0);
    console.log(`UI initial JavaScript: ${(gzipped / 1024).toFixed(1)} KiB gzip (${scripts.join(', ')})`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  }, 120_000);
});
