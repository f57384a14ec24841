// The SDK ships its own copy of the event type so its published .d.ts does not
// depend on the private contract package. This keeps the copy honest: the
// type-check that `npm test` runs fails when the two drift apart.
import { describe, expectTypeOf, it } from 'vitest';
import type { Event } from '@eventline/contract';
import type { CapturedEvent } from '../../src/types.ts';

describe('the public event type', () => {
  it('is the event contract', () => {
    expectTypeOf<CapturedEvent>().toExtend<Event>();
    expectTypeOf<Event>().toExtend<CapturedEvent>();
  });
});
