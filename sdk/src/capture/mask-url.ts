// Keeps secrets that sites put in URLs (password-reset tokens, emails in
// sign-up links, OAuth codes in the fragment) out of every URL the SDK sends:
// the page, the referrer, link targets and form actions. Parameters keep their
// names and lose their values, so analysts still see which ones were there.

/** Parameter names whose values are dropped unless the site sets an allowlist: whole words of the name (`reset_token`, `userEmail`, `api-key`). */
const SECRET =
  /(^|[^a-z])(token|access.?token|id.?token|password|passwd|pwd|pass|secret|e.?mail|mail|auth|authorization|api.?key|key|code|session|sid|sig|signature|jwt|otp|pin|ssn|phone|tel|card|cc|cvv|iban)([^a-z]|$)/i;

/** `name=value` in the query or in the fragment (`#access_token=…`, `#/route?email=…`). */
const PARAMETER = /([?&#;])([^=&#;]*)=([^&#;]*)/g;

const nameOf = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
};

/**
 * `url` with the values of secret parameters removed. With an `allowlist`, only
 * the parameters it names (case-insensitive) keep their values.
 */
export function maskUrl(url: string, allowlist?: readonly string[]): string {
  const allowed = allowlist && new Set(allowlist.map((name) => name.toLowerCase()));
  return url.replace(PARAMETER, (all, separator: string, raw: string) => {
    // camelCase words count as words: userEmail → user_Email.
    const name = nameOf(raw);
    const keep = allowed ? allowed.has(name.toLowerCase()) : !SECRET.test(name.replace(/([a-z])([A-Z])/g, '$1_$2'));
    return keep ? all : `${separator}${raw}=`;
  });
}
