// The UI's initial JavaScript (what index.html loads before anything renders)
// stays within its budget, measured gzipped on the production build.
import { describe, expect, it } from 'vitest';
import { builtUi, initialScripts } from './ui-build.ts';

/** 60 KiB gzip: the budget for the Analyze page's initial JavaScript. */
const BUDGET_BYTES = 60 * 1024;

describe('the UI bundle', () => {
  it('loads at most 60 KiB of gzipped JavaScript up front', async () => {
    const { files, gzipBytes } = initialScripts(await builtUi());
    expect(files.length).toBeGreaterThan(0);
    console.log(`UI initial JavaScript: ${(gzipBytes / 1024).toFixed(1)} KiB gzip (${files.join(', ')})`);
    expect(gzipBytes).toBeLessThanOrEqual(BUDGET_BYTES);
  }, 120_000);
});
