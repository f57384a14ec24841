// Options with their defaults applied, and the plain-data part the worker gets.
import { CAPTURE_DEFAULTS } from './defaults.ts';
import type { AutocaptureOptions, Options, PageviewOptions } from './types.ts';
import type { DeliveryConfig } from './worker/protocol.ts';

/** `captures(kind)`: whether autocapture records that kind. */
export type Resolved = Options &
  typeof CAPTURE_DEFAULTS & {
    url: string;
    captures: (kind: keyof AutocaptureOptions) => boolean;
    /** What counts as a page view. */
    pageviews: PageviewOptions;
    config: DeliveryConfig;
  };

/** Merges option objects left to right; a key set to `undefined` keeps the value before it (the default). */
export function merge<T extends object>(...layers: Array<Partial<T> | undefined>): T {
  const merged: Record<string, unknown> = {};
  for (const layer of layers as Array<Record<string, unknown>>)
    for (const key in layer) if (layer[key] !== undefined) merged[key] = layer[key];
  return merged as T;
}

export function resolveOptions(options: Options): Resolved {
  const autocapture = options.autocapture ?? true;
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/batch?writeKey=${encodeURIComponent(options.writeKey)}`;
  return {
    ...merge<Options & typeof CAPTURE_DEFAULTS>(CAPTURE_DEFAULTS, options),
    url,
    captures: (kind) => autocapture !== false && (autocapture === true || autocapture[kind] !== false),
    pageviews:
      (typeof autocapture === 'object' && typeof autocapture.pageviews === 'object' && autocapture.pageviews) || {},
    // Plain data only (the JSON round trip drops the transport function and
    // undefined values): it is cloned into the worker, which applies its own defaults.
    config: JSON.parse(JSON.stringify({ ...options, url })) as DeliveryConfig,
  };
}
