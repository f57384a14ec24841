// Dated notes on the chart (a deploy, a campaign): numbered as their markers,
// always rendered as text. Adding and removing needs the read token, so a
// shared view only lists them.
import { useState } from 'preact/hooks';
import type { Annotation } from '../api.ts';
import { instantLabel } from '../format-v2.ts';
import { localInputToIso, msToLocalInput } from '../url-state.ts';

export function Annotations(props: {
  annotations: readonly Annotation[];
  marks: readonly number[];
  timeZone: string;
  onAdd: ((at: string, text: string) => Promise<void>) | undefined;
  onRemove: ((id: string) => Promise<void>) | undefined;
}) {
  const [at, setAt] = useState(() => msToLocalInput(Date.now()));
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="annotations" data-testid="annotations">
      {props.annotations.length > 0 && (
        <ol class="annotation-list" aria-label="Annotations">
          {props.annotations.map((a, i) => (
            <li key={a.id} data-annotation-id={a.id}>
              <span class="annotation-mark" aria-hidden="true">
                {i + 1}
              </span>
              <time dateTime={a.at}>{instantLabel(Date.parse(a.at), props.timeZone)}</time>{' '}
              <span class="annotation-text">{a.text}</span>
              {(props.marks[i] ?? -1) < 0 && <span class="hint"> (outside the chart)</span>}
              {props.onRemove && (
                <button
                  type="button"
                  class="link-button"
                  disabled={busy}
                  aria-label={`Remove note: ${a.text}`}
                  onClick={() => void run(() => props.onRemove!(a.id))}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {props.onAdd && (
        <form
          class="annotation-form"
          aria-label="Add a note"
          onSubmit={(e) => {
            e.preventDefault();
            const iso = localInputToIso(at);
            if (!iso || !text.trim()) return;
            void run(async () => {
              await props.onAdd!(iso, text.trim());
              setText('');
            });
          }}
        >
          <label>
            Note at
            <input
              type="datetime-local"
              name="annotation-at"
              value={at}
              onInput={(e) => setAt(e.currentTarget.value)}
            />
          </label>
          <label class="grow">
            Note
            <input
              type="text"
              name="annotation-text"
              maxLength={280}
              placeholder="Deploy, campaign…"
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
            />
          </label>
          <button type="submit" disabled={busy || !text.trim()}>
            Add note
          </button>
        </form>
      )}
      {error && (
        <p class="state error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
