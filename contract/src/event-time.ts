// When an event happened, corrected for the client's clock, in a way that is
// the same every time the same event is resent. Storage identity depends on it:
// if a resend produced another time, InfluxDB would keep two points.

/** Clock-skew corrections are whole multiples of this. 60 s */
export const SKEW_STEP_MS = 60_000;

/**
 * `min(timestamp, sentAt) + round((receivedAt − sentAt) / step) · step`.
 *
 * The textbook correction `receivedAt + (timestamp − sentAt)` moves by the
 * network latency on every resend. Rounding the skew to whole minutes keeps it
 * identical across resends for any client whose clock error is not within the
 * latency jitter of a half-minute boundary (NTP-synced clocks are within a
 * second, so their correction is always 0), while a clock that is minutes or
 * hours off is still corrected to within 30 s. The result is never later than
 * `receivedAt + step / 2`, and a client timestamp after its own `sentAt` (which
 * an honest SDK cannot produce) is clamped to `sentAt`.
 */
export function correctedEventTime(timestamp: number, sentAt: number, receivedAt: number): number {
  const skew = Math.round((receivedAt - sentAt) / SKEW_STEP_MS) * SKEW_STEP_MS;
  return Math.max(0, Math.min(timestamp, sentAt) + skew);
}
