// Segment clients send their write key as the username of HTTP Basic
// authentication, with an empty password: `Authorization: Basic base64(key:)`.

/** The write key an Authorization header carries; undefined when there is none or it is not Basic. */
export function writeKeyFromBasicAuth(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Basic +([A-Za-z0-9+/=_-]+) *$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const key = colon === -1 ? decoded : decoded.slice(0, colon);
  return key === '' ? undefined : key;
}
