// Fastify options every service sets against slow clients (slowloris): Fastify
// leaves the request and connection timeouts off, and Node looks for requests
// past their timeout only every 30 s, which would let a trickled request live
// well beyond it. Services have few connections, so walking them every second
// costs nothing.

/** How often Node looks for requests past their timeouts, ms. */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000; // 1 s

export interface SlowClientLimits {
  /** Most time a client may take to send a whole request, headers included, ms; then 408. */
  readonly requestTimeoutMs: number;
  /** Most time a connection may stay silent in either direction, ms; then it is closed. */
  readonly connectionTimeoutMs: number;
  /** Most time for the request line and headers, ms. Default: Node's (60 s, capped by requestTimeoutMs) */
  readonly headersTimeoutMs?: number;
}

/** The Fastify server options for `limits`. */
export function slowClientOptions(limits: SlowClientLimits) {
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    http: {
      requestTimeout: limits.requestTimeoutMs,
      ...(limits.headersTimeoutMs === undefined ? {} : { headersTimeout: limits.headersTimeoutMs }),
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.requestTimeoutMs),
    },
  };
}
