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
        fc.array(fc.tuple(fc.integer({ min: 0, max: 86_400_000 }), fc.integer({ min: 1, max: 5_000 })), { minLength: 2, maxLength: 5 }),
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

  it('never lands more than half a step after receipt, whatever the client claims', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8e12 }), fc.integer({ min: 0, max: 8e12 }), fc.integer({ min: 0, max: 8e12 }), (timestamp, sentAt, receivedAt) => {
        expect(correctedEventTime(timestamp, sentAt, receivedAt)).toBeLessThanOrEqual(receivedAt + SKEW_STEP_MS / 2);
      }),
    );
  });
});
