// Options with their defaults applied, and the plain-data part the worker gets.
import { CAPTURE_DEFAULTS } from './defaults.ts';
import type { AutocaptureOptions, Options } from './types.ts';
import type { DeliveryConfig } from './worker/protocol.ts';

/** `captures(kind)`: whether autocapture records that kind. */
export type Resolved = Options & typeof CAPTURE_DEFAULTS & { url: string; captures: (kind: keyof AutocaptureOptions) => boolean; config: DeliveryConfig };

export function resolveOptions(options: Options): Resolved {
  const autocapture = options.autocapture ?? true;
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/batch?writeKey=${encodeURIComponent(options.writeKey)}`;
  return {
    ...CAPTURE_DEFAULTS,
    ...options,
    url,
    captures: (kind) => autocapture !== false && (autocapture === true || autocapture[kind] !== false),
    // Plain data only (the JSON round trip drops the transport function): it
    // is cloned into the worker, which applies its own defaults.
    config: JSON.parse(JSON.stringify({ ...options, url })) as DeliveryConfig,
  };
}
