import { FIELD, pointTimeNs, type EnrichedEvent } from '@eventline/contract';
import type { Placement } from '../src/point-placer.ts';
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../src/errors.ts';
import { MAX_EVENT_TIME_MS, normalizeText, toPoint } from '../src/to-point.ts';
import { enrichedEvents } from './support/fixtures.ts';

const at: Placement = { shard: 3, slot: 42 };
const base = (): EnrichedEvent => enrichedEvents(1, { startMs: 1_700_000_000_000, runId: 'unit' })[0]!;

function fieldsOf(line: string): string {
  // measurement+tags, fields, time: split on the unescaped spaces outside quotes.
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') {
      current += c + (line[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ' ' && !quoted) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  expect(parts).toHaveLength(3);
  return parts[1]!;
}

describe('toPoint', () => {
  it('writes the measurement, the shard, site and type tags and the point time of its placement', () => {
    const event = base();
    const line = toPoint(event, at);
    expect(line.startsWith(`events,shard=3,site=shop,type=${event.event.type} `)).toBe(true);
    expect(line.endsWith(` ${pointTimeNs(event.eventTime, 42)}`)).toBe(true);
  });

  it('writes a point without a shard where the placement keeps an old point', () => {
    const event = base();
    const line = toPoint(event, { shard: undefined, slot: 7 });
    expect(line.startsWith(`events,site=shop,type=${event.event.type} `)).toBe(true);
    expect(line.endsWith(` ${pointTimeNs(event.eventTime, 7)}`)).toBe(true);
  });

  it('gives the same line for the same event every time (a redelivery overwrites its point)', () => {
    const event = base();
    expect(toPoint(structuredClone(event), at)).toBe(toPoint(event, at));
  });

  it('types integers with i, booleans bare, and JSON-encodes properties and attributes', () => {
    const event = base();
    event.event.element = {
      tag: 'input',
      selector: '#q',
      checked: true,
      valueLength: 3,
      changed: false,
      attributes: { a: 'b' },
    };
    const fields = fieldsOf(toPoint(event, at));
    expect(fields).toContain(`${FIELD.seq}=0i`);
    expect(fields).toContain(`${FIELD.clientTimestamp}=${event.event.timestamp}i`);
    expect(fields).toContain(`${FIELD.receivedAt}=${event.receivedAt}i`);
    expect(fields).toContain(`${FIELD.elementChecked}=true`);
    expect(fields).toContain(`${FIELD.elementChanged}=false`);
    expect(fields).toContain(`${FIELD.elementValueLength}=3i`);
    expect(fields).toContain(`${FIELD.elementAttributes}="{\\"a\\":\\"b\\"}"`);
    expect(fields).toContain(`${FIELD.properties}="{\\"plan\\":\\"pro\\",\\"index\\":0}"`);
  });

  it('stores the tab, a link target and the engagement of a page leave', () => {
    const event = base();
    event.event.type = 'pageleave';
    event.event.tabId = 'tab-0000000000000001';
    event.event.element = { tag: 'a', selector: '#out', href: 'https://elsewhere.example/file.pdf?token=' };
    event.event.engagement = { engagedMs: 12_345, scrollDepth: 80 };
    const line = toPoint(event, at);
    expect(line.startsWith('events,shard=3,site=shop,type=pageleave ')).toBe(true);
    const fields = fieldsOf(line);
    expect(fields).toContain(`${FIELD.tabId}="tab-0000000000000001"`);
    expect(fields).toContain(`${FIELD.elementHref}="https://elsewhere.example/file.pdf?token="`);
    expect(fields).toContain(`${FIELD.engagedMs}=12345i`);
    expect(fields).toContain(`${FIELD.scrollDepth}=80i`);
  });

  it('omits absent optional values instead of writing them empty', () => {
    const event = base();
    delete event.event.element;
    delete event.event.properties;
    delete event.event.page?.title;
    event.userAgent = {};
    const names = fieldsOf(toPoint(event, at))
      .split(/,(?=[a-z_]+=)/)
      .map((f) => f.split('=')[0]);
    expect(names).toEqual([
      FIELD.id,
      FIELD.name,
      FIELD.seq,
      FIELD.anonymousId,
      FIELD.sessionId,
      FIELD.url,
      FIELD.path,
      FIELD.clientTimestamp,
      FIELD.receivedAt,
      FIELD.pagePath,
    ]);
  });

  it('stores the derived dimensions and the bot flag, so raw queries and rollups read the same values', () => {
    const event = base();
    event.event.page = {
      url: 'https://shop.example/pricing/?utm_source=news&utm_medium=email&utm_campaign=bf',
      path: '/pricing/',
      referrer: 'https://www.google.com/',
    };
    event.event.element = { tag: 'button', selector: '#buy', text: 'Buy', attributes: { name: 'checkout' } };
    event.userAgent = { browser: 'HeadlessChrome', bot: true };
    const fields = fieldsOf(toPoint(event, at));
    expect(fields).toContain(`${FIELD.bot}=true`);
    expect(fields).toContain(`${FIELD.label}="checkout"`);
    expect(fields).toContain(`${FIELD.referrerHost}="google.com"`);
    expect(fields).toContain(`${FIELD.utmSource}="news"`);
    expect(fields).toContain(`${FIELD.utmMedium}="email"`);
    expect(fields).toContain(`${FIELD.utmCampaign}="bf"`);
    expect(fields).toContain(`${FIELD.pagePath}="/pricing"`);
  });

  it('stores an event outside any session and page with neither seq, session nor page fields', () => {
    const event = base();
    delete event.event.seq;
    delete event.event.sessionId;
    delete event.event.page;
    delete event.event.element;
    delete event.event.properties;
    event.event.type = 'group';
    event.userAgent = {};
    const names = fieldsOf(toPoint(event, at))
      .split(/,(?=[a-z_]+=)/)
      .map((f) => f.split('=')[0]);
    expect(names).toEqual([FIELD.id, FIELD.name, FIELD.anonymousId, FIELD.clientTimestamp, FIELD.receivedAt]);
    expect(toPoint(event, at)).toMatch(/^events,shard=3,site=[^,]+,type=group /);
  });

  it('escapes quotes and backslashes in string fields and commas, spaces and = in tags', () => {
    const event = base();
    event.site = 'a,b c=d"é';
    event.event.name = 'say "hi" \\ bye, x=1';
    const line = toPoint(event, at);
    expect(line.startsWith('events,shard=3,site=a\\,b\\ c\\=d"é,type=')).toBe(true);
    expect(line).toContain(`${FIELD.name}="say \\"hi\\" \\\\ bye, x=1"`);
  });

  it('stores every line break in a string field as one space', () => {
    expect(normalizeText('a\r\nb\nc\rd\n\ne')).toBe('a b c d  e');
    const event = base();
    event.event.name = 'one\r\ntwo';
    expect(toPoint(event, at)).toContain(`${FIELD.name}="one two"`);
    expect(toPoint(event, at)).not.toMatch(/[\r\n]/);
  });

  it.each([
    ['a line break in the site', { site: 'a\nb' }],
    ['a site ending in a backslash', { site: 'ab\\' }],
    ['a backslash before a comma in the site', { site: 'a\\,b' }],
    ['an event time after 2262', { eventTime: MAX_EVENT_TIME_MS + 1 }],
  ])('refuses %s as unrepresentable', (_, overrides) => {
    const event = { ...base(), ...overrides };
    expect(() => toPoint(event, at)).toThrow(ConsumerError);
    expect(() => toPoint(event, at)).toThrow(/cannot be stored/);
  });

  it('keeps a backslash in the site that InfluxDB stores as it is', () => {
    const event = { ...base(), site: 'a\\b' };
    expect(toPoint(event, at).startsWith('events,shard=3,site=a\\b,type=')).toBe(true);
  });

  it('refuses integers beyond 64-bit precision', () => {
    const event = base();
    event.event.seq = 2 ** 60;
    expect(() => toPoint(event, at)).toThrow(/seq .* is not a 64-bit integer/);
  });
});
