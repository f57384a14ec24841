// One element, by its readable label: clicks, unique clickers and click-through
// (clickers ÷ visitors of its pages); for a text field how often it changed; for
// a checkbox the on/off ratio; and a way down to its raw events.
import { useState } from 'preact/hooks';
import type { ElementResponse, EventPage } from '../api.ts';
import { formatCount } from '../format.ts';
import { formatPercent } from '../format-v2.ts';
import { useQuery, type QueryState } from '../use-query.ts';
import { EventsTable } from './events-table.tsx';
import { Status } from './status.tsx';

export function ElementPanel(props: {
  label: string;
  state: QueryState<ElementResponse>;
  onClose: () => void;
  /** A page of its raw events (with the view's filters), older than `cursor`. */
  loadEvents: (cursor: string | undefined, signal: AbortSignal) => Promise<EventPage>;
}) {
  const data = props.state.data;
  const [open, setOpen] = useState(false);
  const [cursors, setCursors] = useState<string[]>([]);
  const [retry, setRetry] = useState(0);
  const events = useQuery(
    (signal) => (open ? props.loadEvents(cursors[cursors.length - 1], signal) : Promise.resolve(undefined)),
    [open, cursors, props.loadEvents, retry],
  );
  const toggles = data ? data.toggles.on + data.toggles.off : 0;
  return (
    <section class="panel element-panel" data-testid="element-panel" aria-busy={props.state.loading}>
      <h2>
        Element <span class="element-label">{props.label}</span>
        <button type="button" class="link-button close" onClick={props.onClose} aria-label="Close element details">
          Close
        </button>
      </h2>
      <Status state={props.state} empty={false} emptyText="" />
      {data && (
        <>
          <dl class="figures">
            <div>
              <dt>Clicks</dt>
              <dd data-testid="element-clicks">{formatCount(data.clicks)}</dd>
            </div>
            <div>
              <dt>Unique clickers</dt>
              <dd data-testid="element-clickers">{formatCount(data.clickers)}</dd>
            </div>
            <div>
              <dt title="Unique clickers ÷ unique visitors of the pages it is on">Click-through</dt>
              <dd data-testid="element-ctr">
                {formatPercent(data.clickThrough)} <span class="of">of {formatCount(data.pageVisitors)} visitors</span>
              </dd>
            </div>
            {data.changes > 0 && (
              <div>
                <dt>Changed (text field)</dt>
                <dd data-testid="element-changes">{formatCount(data.changes)}</dd>
              </div>
            )}
            {toggles > 0 && (
              <div>
                <dt>Checked / unchecked</dt>
                <dd data-testid="element-toggles">
                  {formatCount(data.toggles.on)} / {formatCount(data.toggles.off)}{' '}
                  <span class="of">{formatPercent(data.toggles.on / toggles, 0)} on</span>
                </dd>
              </div>
            )}
          </dl>
          {data.selectors.length > 0 && (
            <p class="selectors">
              Seen as{' '}
              {data.selectors.map((s) => (
                <code class="selector" key={s}>
                  {s}
                </code>
              ))}
            </p>
          )}
        </>
      )}
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide its raw events' : 'Show its raw events'}
      </button>
      {open && (
        <EventsTable
          title={`Raw events of ${props.label}`}
          state={events as QueryState<EventPage>}
          page={cursors.length}
          onOlder={(cursor) => setCursors([...cursors, cursor])}
          onNewer={() => setCursors(cursors.slice(0, -1))}
          onRetry={() => setRetry((n) => n + 1)}
        />
      )}
    </section>
  );
}
