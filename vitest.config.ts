import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages export their source under this condition (see tsconfig.base.json), so tests need no build.
const SOURCE = '@eventline/source';
/** Service logs are captured and printed only for a failing test. */
const LOG_SETUP = 'testkit/src/vitest-log-setup.ts';

// `unit` runs pure logic with no infrastructure; `integration` gets one real
// Kafka broker and one real InfluxDB from the global setup, and real Chromium
// where a test launches it; `faults` starts a private pipeline per scenario and
// breaks parts of it (also `npm run test:faults`).
export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  environments: {
    ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['*/test/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          globalSetup: ['testkit/src/vitest-build-setup.ts'],
          setupFiles: [LOG_SETUP],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['*/test/**/*.integration.test.ts', '*/e2e/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['testkit/src/vitest-global-setup.ts'],
          setupFiles: [LOG_SETUP],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['testkit/faults/**/*.test.ts'],
          globalSetup: ['testkit/src/vitest-build-setup.ts'],
          setupFiles: [LOG_SETUP],
          testTimeout: 420_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
