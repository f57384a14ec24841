import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correctedEventTime, SKEW_STEP_MS } from '../src/event-time.ts';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 10, 25, 12);

describe('correctedEventTime', () => {
  it('keeps an NTP-synced client time as is', () => {
    expect(correctedEventTime(now - 2_000, now - 40, now)).toBe(now - 2_000);
  });

  it('corrects a clock that is an hour behind to within 30 s', () => {
    const timestamp = now - HOUR - 5_000;
    expect(correctedEventTime(timestamp, now - HOUR, now)).toBe(now - 5_000);
  });

  it('is the same on every resend for a client within a second of the server clock', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000, max: 1_000 }), // clock error
        fc.integer({ min: 0, max: 600_000 }), // age of the event when first sent
        fc.array(fc.tuple(fc.integer({ min: 0, max: 86_400_000 }), fc.integer({ min: 1, max: 5_000 })), {
          minLength: 2,
          maxLength: 5,
        }),
        (clockError, age, attempts) => {
          const timestamp = now + clockError;
          const times = attempts.map(([delay, latency]) => {
            const sentAt = timestamp + age + delay;
            return correctedEventTime(timestamp, sentAt, sentAt - clockError + latency);
          });
          expect(new Set(times).size).toBe(1);
        },
      ),
    );
  });

  it('is the same on every resend for a clock off by any number of minutes, unless near a half-minute boundary', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -30 * 24 * 60, max: 30 * 24 * 60 }), // whole minutes off, up to 30 days either way
        fc.integer({ min: -24_000, max: 24_000 }), // and a remainder at least 6 s from a half minute
        fc.integer({ min: 0, max: 3_600_000 }), // age of the event when first sent
        fc.array(fc.tuple(fc.integer({ min: 0, max: 86_400_000 }), fc.integer({ min: 0, max: 5_000 })), {
          minLength: 2,
          maxLength: 5,
        }),
        (minutesOff, remainder, age, attempts) => {
          const clockError = minutesOff * 60_000 + remainder;
          const timestamp = now + clockError;
          const times = attempts.map(([delay, latency]) => {
            const sentAt = timestamp + age + delay;
            return correctedEventTime(timestamp, sentAt, sentAt - clockError + latency);
          });
          expect(new Set(times).size).toBe(1);
          // Corrected to the server's clock to within the remainder.
          expect(times[0]).toBe(now + remainder);
        },
      ),
    );
  });

  it('never lands more than 30 s after receipt and is a valid timestamp, whatever the client claims', () => {
    expect(SKEW_STEP_MS / 2).toBe(30_000);
    const timestamp = fc.integer({ min: 0, max: 8.64e15 });
    fc.assert(
      fc.property(
        timestamp,
        timestamp,
        fc.integer({ min: 0, max: 8.64e15 - SKEW_STEP_MS }),
        (clientTime, sentAt, receivedAt) => {
          const eventTime = correctedEventTime(clientTime, sentAt, receivedAt);
          expect(eventTime).toBeLessThanOrEqual(receivedAt + 30_000);
          expect(Number.isSafeInteger(eventTime) && eventTime >= 0 && eventTime <= 8.64e15).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('may place an event a few ms after its receipt, and then keeps it there on every resend', () => {
    // Captured and sent at once by a client 5 ms ahead, arriving 2 ms later on the server's clock.
    const timestamp = now + 5;
    const first = correctedEventTime(timestamp, timestamp, now + 2);
    expect(first).toBe(now + 5);
    expect(correctedEventTime(timestamp, timestamp + 10_000, now + 10_000 + 40)).toBe(first);
  });
});
