// One delegated, capturing listener per kind on the document, so the cost is
// the same for one element or ten thousand, and pages that stop propagation
// cannot hide interactions. `data-track-ignore` silences an element and its subtree.
import type { EventType } from '@eventline/contract/limits';
import { describe, describeField, labelOf, type ElementDescriptor, type Field } from './element.ts';

/** Whether a kind of interaction is recorded. */
export type Captures = (kind: 'clicks' | 'inputs' | 'toggles') => boolean;

export type Emit = (type: EventType, name: string, element: ElementDescriptor) => void;

const CLICKABLE = 'a,button,[role=button],[type=submit],[type=button],[type=reset],[type=image],[data-track]';
/** Inputs whose value is not typed text. */
const NOT_TEXT = /^(checkbox|radio|submit|button|reset|image|file|hidden|range|color)$/;

const field = (target: EventTarget | null): Field | false =>
  (target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && !NOT_TEXT.test(target.type))) &&
  !target.closest('[data-track-ignore]') &&
  target;

/** Listens until `signal` aborts. */
export function startAutocapture(captures: Captures, emit: Emit, signal: AbortSignal): void {
  // Value at focus, to tell whether it changed; it never leaves this map.
  const onFocus = new WeakMap<Element, string>();
  const on = (kind: Parameters<Captures>[0], type: string, listener: (e: Event) => void): void => {
    if (captures(kind)) document.addEventListener(type, listener, { capture: true, signal });
  };

  on('clicks', 'click', (e) => {
    const el = e.target instanceof Element && e.target.closest(CLICKABLE);
    if (!el || el.closest('[data-track-ignore]')) return;
    const d = describe(el);
    const text = labelOf(el);
    if (text) d.text = text;
    emit('click', el.getAttribute('data-track') || 'click', d);
  });
  on('inputs', 'focusin', (e) => {
    const el = field(e.target);
    if (el) onFocus.set(el, el.value);
  });
  on('inputs', 'focusout', (e) => {
    const el = field(e.target);
    if (el) emit('input', 'input', describeField(el, onFocus.get(el) ?? ''));
  });
  on('toggles', 'change', (e) => {
    const el = e.target;
    if (!(el instanceof HTMLInputElement) || !/^(checkbox|radio)$/.test(el.type) || el.closest('[data-track-ignore]'))
      return;
    const d = describe(el);
    d.checked = el.checked;
    emit('change', 'change', d);
  });
}
