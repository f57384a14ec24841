import { describe, expect, it } from 'vitest';
import { LIMITS, TRIMMED_PROPERTY } from '@eventline/contract/limits';
import * as sdk from '../../src/limits.ts';

describe('limits', () => {
  it('match the contract the ingest service validates against', () => {
    expect({ ...sdk }).toEqual({
      BATCH_EVENTS: LIMITS.batchEvents,
      EVENT_BYTES: LIMITS.eventBytes,
      BEACON_BYTES: LIMITS.beaconBytes,
      NAME_MAX: LIMITS.nameMaxLength,
      URL_MAX: LIMITS.urlMaxLength,
      TEXT_MAX: LIMITS.textMaxLength,
      TAG_MAX: LIMITS.tagMaxLength,
      SELECTOR_MAX: LIMITS.selectorMaxLength,
      MAX_PROPERTIES: LIMITS.maxProperties,
      PROPERTY_KEY_MAX: LIMITS.propertyKeyMaxLength,
      PROPERTY_VALUE_MAX: LIMITS.propertyValueMaxLength,
      TRIMMED_PROPERTY,
    });
  });
});
