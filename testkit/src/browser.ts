// Launches Debian's Chromium through Playwright for browser tests and
// benchmarks. Browsers are never downloaded: the system binary is used.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { InfraError } from '@eventline/infra';

export const CHROMIUM_PATH = process.env['EVENTLINE_CHROMIUM'] ?? '/usr/bin/chromium';

/** Flags that work on machines with a closed network and no GPU. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new InfraError(
      `Chromium not found at ${CHROMIUM_PATH}`,
      'apt-get install chromium, or set EVENTLINE_CHROMIUM',
    );
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
