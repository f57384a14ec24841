// Makes a read-only link to this site and view: the server signs it with an
// expiry; the token travels in the URL fragment, never to a server log.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type ShareLink } from '../api.ts';
import { instantLabel } from '../format-v2.ts';

const EXPIRIES = [1, 7, 30, 90, 365];

export function ShareDialog(props: {
  site: string;
  /** The filter chips the link fixes. */
  chips: readonly string[];
  view: string;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [days, setDays] = useState(7);
  const [link, setLink] = useState<ShareLink>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  // The link opens the same view: the server's path names the site; the view's other parameters are added.
  const url = link ? shareUrl(link.path, props.view) : '';
  return (
    <dialog ref={dialog} class="share-dialog" aria-labelledby="share-title" onClose={props.onClose}>
      <h2 id="share-title">Share a read-only view of {props.site}</h2>
      {props.chips.length > 0 && (
        <p class="hint">
          The link keeps its filters: {props.chips.join(', ')}. Raw events are not shared through a filtered link.
        </p>
      )}
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          api
            .share({ site: props.site, filters: [...props.chips], expiresInDays: days })
            .then(setLink, (e: Error) => setError(e.message));
        }}
      >
        <label>
          Expires after
          <select name="expires" value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {EXPIRIES.map((d) => (
              <option key={d} value={d}>
                {d === 1 ? '1 day' : `${d} days`}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Create link</button>
      </form>
      {link && (
        <div class="share-result">
          <label>
            Link (until {instantLabel(Date.parse(link.expiresAt))})
            <input type="text" readOnly name="share-url" value={url} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(url).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? 'Copied' : 'Copy link'}
          </button>
        </div>
      )}
      {error && (
        <p class="state error" role="alert">
          {error}
        </p>
      )}
      <button type="button" class="close" onClick={() => dialog.current?.close()}>
        Close
      </button>
    </dialog>
  );
}

/** origin + the server's path with the view's parameters added before its fragment. */
export function shareUrl(path: string, view: string): string {
  const [pathAndQuery = '', fragment = ''] = path.split('#');
  const [pathname = '', query = ''] = pathAndQuery.split('?');
  const params = new URLSearchParams(query);
  const fixed = new Set([...params.keys(), 'site']);
  for (const [key, value] of new URLSearchParams(view)) if (!fixed.has(key)) params.append(key, value);
  return `${location.origin}${pathname}?${params}${fragment ? `#${fragment}` : ''}`;
}
