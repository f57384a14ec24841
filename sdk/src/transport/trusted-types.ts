// Trusted Types: under `require-trusted-types-for 'script'` a script URL must
// come from a policy, or `new Worker(url)` and `script.src = url` throw. The
// SDK's policy is named `eventline` (the site lists it in its CSP:
// `trusted-types eventline`). It is created once and kept private, so no other
// script can use it to turn a string into a script URL.

let policy: { createScriptURL(url: string): unknown } | 0 | undefined;

/** `url` as a script URL the page accepts: a TrustedScriptURL where Trusted Types exist, the string elsewhere. */
export function scriptUrl(url: string): string {
  try {
    policy ??= (
      globalThis as unknown as { trustedTypes: { createPolicy(name: string, rules: object): typeof policy } }
    ).trustedTypes.createPolicy('eventline', { createScriptURL: (u: string) => u });
  } catch {
    // No Trusted Types, or the CSP's `trusted-types` does not list `eventline`: plain strings, refused where enforced.
    policy = 0;
  }
  return (policy ? policy.createScriptURL(url) : url) as string;
}
