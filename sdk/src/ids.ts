// Event, session and anonymous ids: 24 base-32 characters (120 random bits)
// from getRandomValues, which unlike randomUUID also works outside secure contexts.

export function newId(): string {
  let id = '';
  for (const byte of crypto.getRandomValues(new Uint8Array(24))) id += (byte & 31).toString(32);
  return id;
}
