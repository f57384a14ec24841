import { describe, expect, it } from 'vitest';
import { merge, resolveOptions } from '../../src/options.ts';
import type { Options } from '../../src/types.ts';

describe('options', () => {
  it('keeps the default for an option passed as undefined', () => {
    const r = resolveOptions({
      writeKey: 'k',
      endpoint: 'https://in.example/',
      respectDoNotTrack: undefined,
      sessionTimeout: undefined,
      flushInterval: 500,
    });
    expect(r).toMatchObject({
      respectDoNotTrack: true,
      sessionTimeout: 30 * 60_000,
      flushInterval: 500,
      url: 'https://in.example/v1/batch?writeKey=k',
    });
    expect(r.config).toEqual({
      writeKey: 'k',
      endpoint: 'https://in.example/',
      flushInterval: 500,
      url: 'https://in.example/v1/batch?writeKey=k',
    });
  });

  it('keeps the script tag’s value for an init option passed as undefined', () => {
    const transport = async () => ({ status: 200 });
    expect(
      merge<Options>(
        { writeKey: 'tag', endpoint: 'https://in.example', debug: true },
        { endpoint: undefined, debug: false, transport },
      ),
    ).toEqual({ writeKey: 'tag', endpoint: 'https://in.example', debug: false, transport });
  });
});
