// One delegated, capturing listener per kind on the document, so the cost is
// the same for one element or ten thousand, and pages that stop propagation
// cannot hide interactions. Targets come from composedPath(), so elements in
// open shadow roots are seen as themselves, not as their host. Events that do
// not leave a shadow root (change, submit, and focus moves within one root)
// are heard by the same listeners on every open root the user has clicked or
// focused into. `data-track-ignore` silences an element and its subtree.
import type { EventType } from '@eventline/contract/limits';
import { describe, describeField, labelOf, type ElementDescriptor, type Field } from './element.ts';

/** Whether a kind of interaction is recorded. */
export type Captures = (kind: 'clicks' | 'inputs' | 'toggles' | 'forms') => boolean;

export type Emit = (type: EventType, name: string, element: ElementDescriptor) => void;

/** Masks an absolute URL before it is sent (link targets, form actions). */
export type MaskUrl = (url: string) => string;

const CLICKABLE = 'a,button,[role=button],[type=submit],[type=button],[type=reset],[type=image],[data-track]';
/** Inputs whose value is not typed text. */
const NOT_TEXT = /^(checkbox|radio|submit|button|reset|image|file|hidden|range|color)$/;

const isField = (target: EventTarget): target is Field =>
  target instanceof HTMLTextAreaElement ||
  target instanceof HTMLSelectElement ||
  (target instanceof HTMLInputElement && !NOT_TEXT.test(target.type));

/** Whether `el` is under data-track-ignore, also across the shadow roots it sits in (a path inside a root ends at the root). */
const ignored = (el: Element | undefined): boolean =>
  !!el && (!!el.closest('[data-track-ignore]') || ignored((el.getRootNode() as ShadowRoot).host));

/** Listens until `signal` aborts. */
export function startAutocapture(captures: Captures, emit: Emit, mask: MaskUrl, signal: AbortSignal): void {
  // Value at focus, to tell whether it changed; it never leaves this map.
  const onFocus = new WeakMap<Element, string>();
  const handled = new WeakSet<Event>();
  const roots = new WeakSet<ShadowRoot>();
  const listeners: Array<[type: string, listener: (e: Event) => void]> = [];
  const listen = (root: Document | ShadowRoot, type: string, listener: (e: Event) => void): void =>
    root.addEventListener(type, listener, { capture: true, signal });

  /**
   * `handler(target, path, event)` once per event when `kind` is captured, with the innermost target and the
   * elements up to it, unless one of them is under data-track-ignore. Listens even when `kind` is not captured:
   * every click and focus may reveal a shadow root to watch.
   */
  const on = <E extends Event>(
    kind: Parameters<Captures>[0],
    type: string,
    handler: (el: Element, path: Element[], e: E) => void,
  ): void => {
    const active = captures(kind);
    const listener = (e: Event): void => {
      if (handled.has(e)) return;
      handled.add(e);
      const path = e.composedPath().filter((node): node is Element => node instanceof Element);
      const root = path[0]?.getRootNode();
      if (root instanceof ShadowRoot && !roots.has(root)) {
        roots.add(root);
        for (const [t, l] of listeners) listen(root, t, l);
      }
      if (active && path[0] && !ignored(path[0])) handler(path[0], path, e as E);
    };
    listeners.push([type, listener]);
    listen(document, type, listener);
  };

  on('clicks', 'click', (_, path) => {
    const el = path.find((node) => node.matches(CLICKABLE));
    if (!el) return;
    const d = describe(el);
    const text = labelOf(el);
    if (text) d.text = text;
    if (el instanceof HTMLAnchorElement && el.href) d.href = mask(el.href);
    emit('click', el.getAttribute('data-track') || 'click', d);
  });
  on('inputs', 'focusin', (el) => void (isField(el) && onFocus.set(el, el.value)));
  on(
    'inputs',
    'focusout',
    (el) => void (isField(el) && emit('input', 'input', describeField(el, onFocus.get(el) ?? ''))),
  );
  on('toggles', 'change', (el) => {
    if (!(el instanceof HTMLInputElement) || !/^(checkbox|radio)$/.test(el.type)) return;
    const d = describe(el);
    d.checked = el.checked;
    emit('change', 'change', d);
  });
  on<SubmitEvent>('forms', 'submit', (form, _, e) => {
    if (!(form instanceof HTMLFormElement)) return;
    const d = describe(form);
    d.href = mask(form.action);
    // Labelled by the button that sent it: a form's own text is mostly its fields.
    const text = e.submitter && labelOf(e.submitter);
    if (text) d.text = text;
    emit('submit', form.getAttribute('data-track') || 'submit', d);
  });
}
