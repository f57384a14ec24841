// Event, session and anonymous ids: time plus about 100 random bits, base 36.
// Ids only need to be unique, not secret; Math.random is seeded from a secure
// source per page and costs far less on the main thread than getRandomValues.

const random = (): string => Math.random().toString(36).slice(2, 12).padEnd(10, '0');

export function newId(): string {
  return Date.now().toString(36) + random() + random();
}
