// Describes an element without reading what the user typed: tag, id, name, a
// short selector, its visible label and its data-track-* attributes, each
// within the contract's limits so ingest never refuses the event. Field values
// are only read for elements marked data-track-value, and never for password,
// hidden or payment-card (autocomplete="cc-…") fields; labels never include
// the text of fields, editable regions or data-track-ignore subtrees.
import type { Element as ElementDescriptor } from '@eventline/contract';
import { MAX_PROPERTIES, PROPERTY_KEY_MAX, PROPERTY_VALUE_MAX, SELECTOR_MAX, TAG_MAX } from '../limits.ts';
import { clip } from './properties.ts';

export type { ElementDescriptor };

export type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A short, stable selector: up to four levels of tag and position, stopping at the nearest id (CSS-escaped: React's `:r1:` is an id too). Classes are left out: build tools rename them. */
export function selectorOf(el: Element): string {
  const parts: string[] = [];
  for (let node: Element | null = el, depth = 0; node && depth < 4; node = node.parentElement, depth++) {
    if (node.id) {
      parts.unshift('#' + CSS.escape(node.id));
      break;
    }
    const tag = node.tagName;
    let part = tag.toLowerCase();
    // Position among same-tag siblings, counted without copying the children (this runs in the event path).
    let position = 0;
    let same = 0;
    for (
      let sibling: Element | null | undefined = node.parentElement?.firstElementChild;
      sibling;
      sibling = sibling.nextElementSibling
    )
      if (sibling.tagName === tag && ++same && sibling === node) position = same;
    if (same > 1) part += `:nth-of-type(${position})`;
    parts.unshift(part);
  }
  return clip(parts.join('>'), SELECTOR_MAX);
}

export function describe(el: Element): ElementDescriptor {
  // Custom elements' names have no length limit; the contract's tag does.
  const d: ElementDescriptor = { tag: clip(el.tagName.toLowerCase(), TAG_MAX), selector: selectorOf(el) };
  const name = el.getAttribute('name');
  if (el.id) d.id = clip(el.id);
  if (name) d.name = clip(name);
  let attributes: Record<string, string> | undefined;
  let count = 0;
  // data-track-value and data-track-ignore steer the SDK; they do not describe the element.
  for (const { name: key, value } of el.attributes) {
    if (/^data-track-(?!value$|ignore$)./.test(key) && count++ < MAX_PROPERTIES)
      (attributes ??= {})[clip(key.slice(11), PROPERTY_KEY_MAX)] = clip(value);
  }
  if (attributes) d.attributes = attributes;
  if (el instanceof HTMLInputElement) d.inputType = el.type;
  return d;
}

/** Elements whose text may be what the user typed or chose, or that the site asked to leave out. */
const UNREAD = 'input,textarea,select,[role=textbox],[data-track-ignore]';

/**
 * Text of a node as a label: textContent without fields, editable regions and
 * `data-track-ignore` subtrees, and with what a shadow root's slot shows.
 */
function textOf(node: Node): string {
  // 3: a text node. Comments have no children, so they add nothing, as in textContent.
  if (node.nodeType === 3) return (node as Text).data;
  if (node instanceof Element && (node.matches(UNREAD) || (node as HTMLElement).isContentEditable)) return '';
  let text = '';
  for (const child of shown(node as HTMLSlotElement) ?? node.childNodes) text += textOf(child);
  return text;
}

/** What a slot shows: the nodes assigned to it, or its fallback content (undefined) when none are. */
const shown = (slot: HTMLSlotElement): Node[] | undefined => {
  const assigned = slot.assignedNodes?.({ flatten: true });
  return assigned?.length ? assigned : undefined;
};

/** A clicked element's label: the caption of button-like inputs (never a typed value), otherwise its text, whitespace collapsed. */
export function labelOf(el: Element): string | undefined {
  const text = (
    el instanceof HTMLInputElement ? (/^(submit|button|reset|image)$/.test(el.type) ? el.value : '') : textOf(el)
  )
    .replace(/\s+/g, ' ')
    .trim();
  return text ? clip(text) : undefined;
}

/** A field left after editing: identity, length and whether it changed; the value only when opted in and never for sensitive fields. */
export function describeField(el: Field, valueOnFocus: string): ElementDescriptor {
  const d = describe(el);
  d.changed = el.value !== valueOnFocus;
  if (/^(password|hidden)$/.test(el.type) || /\bcc-/i.test(el.autocomplete)) return d;
  d.valueLength = el.value.length;
  if (el.hasAttribute('data-track-value')) d.value = clip(el.value, PROPERTY_VALUE_MAX);
  return d;
}
