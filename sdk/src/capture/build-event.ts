// Assembles an event as the contract wants it, in two steps: what happened
// (the page it happened on, every URL masked, every text clipped, properties
// made flat) is read when it happens; who did it (identity and session, kept in
// localStorage) is added once there is consent (consent.ts). What callers pass
// cannot make either step throw (see properties.ts).
import type { Engagement, Event } from '@eventline/contract';
import type { EventType } from '@eventline/contract/limits';
import { NAME_MAX, URL_MAX } from '../limits.ts';
import type { Properties } from '../types.ts';
import type { ElementDescriptor } from './element.ts';
import { anonymousId, nextInSession, read, tabId } from '../identity.ts';
import { newId } from '../ids.ts';
import { clip, cleanProperties, stringOf } from './properties.ts';

/** Where the event happened, when it is not the current page: a page view settles after its URL changed, a page leave follows it. */
export interface At {
  url?: string;
  referrer?: string;
  engagement?: Engagement;
}

export interface EventSettings {
  sessionTimeout: number;
  mask: (url: string) => string;
  /** Hash routing: the hash's path is part of `page.path`. */
  hash?: boolean;
}

/** An event without who did it: no identity, session or sequence number yet. */
export type Happening = Omit<Event, 'seq' | 'anonymousId' | 'sessionId' | 'tabId' | 'userId'>;

export function describeEvent(
  settings: EventSettings,
  type: EventType,
  name: unknown,
  element?: ElementDescriptor,
  properties?: Properties,
  at: At = {},
): Happening {
  const url = at.url ?? location.href;
  const fragment = url.split('#')[1]?.split('?')[0];
  const path = (at.url ? new URL(url).pathname : location.pathname) + (settings.hash && fragment ? `#${fragment}` : '');
  const page: Event['page'] = { url: clip(settings.mask(url), URL_MAX), path: clip(path, URL_MAX) };
  if (document.title) page.title = clip(document.title);
  if (at.referrer) page.referrer = clip(settings.mask(at.referrer), URL_MAX);
  const event: Happening = {
    v: 1,
    id: newId(),
    type,
    name: clip(stringOf(name) ?? '', NAME_MAX) || type,
    timestamp: Date.now(),
    page,
  };
  if (element) event.element = element;
  const cleaned = cleanProperties(properties);
  if (cleaned) event.properties = cleaned;
  if (at.engagement) event.engagement = at.engagement;
  return event;
}

/** The event with who did it: the visitor, their session and this tab's next sequence number in it. */
export function attribute(sessionTimeout: number, what: Happening): Event {
  const { sessionId, seq } = nextInSession(sessionTimeout, what.timestamp);
  const event: Event = { ...what, seq, anonymousId: anonymousId(), sessionId, tabId };
  const userId = read('user');
  if (userId) event.userId = userId;
  return event;
}
