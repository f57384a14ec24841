// The one process entry point of the services: load the configuration (a
// problem ends the process with the message and exit code 1), build the app,
// listen, and on SIGTERM/SIGINT (or a fatal error the app reports) close the
// app, which stops accepting, drains and disconnects through its onClose
// hooks. A close that outlives the shutdown timeout exits 1 anyway.
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Env } from './config.ts';

export interface Lifecycle {
  /** Ends the process as a signal would: close the app, then exit with `exitCode`. */
  stop(reason: string, exitCode: number): void;
}

export interface ServiceMain<C> {
  /** Reads the configuration from the process's environment, which only this entry point passes. */
  readonly loadConfig: (env: Env) => C;
  readonly buildApp: (config: C, lifecycle: Lifecycle) => Promise<FastifyInstance>;
  readonly listen: (config: C) => { host: string; port: number };
  /** Longest a shutdown may take before the process exits 1 anyway, ms. Default: 30 000 */
  readonly shutdownTimeoutMs?: (config: C) => number;
  /** Logged once listening, e.g. where the service's dependencies are. */
  readonly ready?: (config: C) => Record<string, unknown>;
}

const SHUTDOWN_TIMEOUT_MS = 30_000; // 30 s

/** The configuration from the environment, or exit 1 with the loader's message naming every problem. */
export function configOrExit<C>(loadConfig: (env: Env) => C): C {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

export async function runService<C>(main: ServiceMain<C>): Promise<void> {
  const config = configOrExit(main.loadConfig);
  // Set once built; a stop asked for while the app is being built has nothing to close yet.
  const built: { app?: FastifyInstance } = {};
  let stopping = false;
  const stop = (reason: string, exitCode: number): void => {
    if (stopping) return;
    stopping = true;
    const timeoutMs = main.shutdownTimeoutMs?.(config) ?? SHUTDOWN_TIMEOUT_MS;
    const { app } = built;
    app?.log.info({ reason }, 'shutting down');
    setTimeout(() => {
      app?.log.error({ timeoutMs }, 'shutdown timed out; exiting anyway');
      process.exit(1);
    }, timeoutMs).unref();
    (app?.close() ?? Promise.resolve()).then(
      () => {
        app?.log.info('stopped');
        process.exit(exitCode);
      },
      (error: unknown) => {
        app?.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal, 0));
  const app = await main.buildApp(config, { stop });
  built.app = app;
  try {
    // A copy: Fastify writes into its listen options, and configurations are frozen.
    await app.listen({ ...main.listen(config) });
    app.log.info(main.ready?.(config) ?? {}, 'ready');
  } catch (error) {
    app.log.fatal({ err: error }, 'cannot listen');
    await app.close().catch(() => {});
    process.exit(1);
  }
}
