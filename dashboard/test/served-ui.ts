// The dashboard serving its production UI build (ui-build.ts) over a test
// bucket on a free port, and Chromium to open it: what every browser test of
// the dashboard starts from. `close()` stops both.
import { launchChromium } from '@eventline/testkit/browser';
import { testInfra } from '@eventline/testkit';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { builtUi } from './ui-build.ts';

export interface ServedUi {
  app: FastifyInstance;
  baseUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Serves the UI over `bucket`; `env` adds or overrides the dashboard's variables. */
export async function serveUi(bucket: string, env: Record<string, string> = {}): Promise<ServedUi> {
  const app = await buildApp(
    loadConfig({
      EVENTLINE_INFLUX_URL: testInfra().influxUrl,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_DASHBOARD_UI_DIR: await builtUi(),
      EVENTLINE_LOG_LEVEL: 'silent',
      ...env,
    }),
  );
  try {
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const browser = await launchChromium();
    return {
      app,
      baseUrl,
      browser,
      close: async () => {
        await browser.close();
        await app.close();
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
