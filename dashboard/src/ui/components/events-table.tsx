// The events, newest first, with Newer/Older pagination. Every value from an
// event is rendered as a text node (never as HTML): visitors control it.
import { useState } from 'preact/hooks';
import type { ApiEvent, EventPage } from '../api.ts';
import { localTime, shortId, utcTitle } from '../format.ts';
import type { QueryState } from '../use-query.ts';
import { Status } from './status.tsx';

function describeElement(event: ApiEvent): string {
  const element = event.element;
  if (!element) return '';
  if (element.inputType === 'checkbox' || element.inputType === 'radio')
    return element.checked ? 'checked' : 'unchecked';
  if (element.valueLength !== undefined) return `${element.valueLength} characters`;
  return '';
}

function Row(props: { event: ApiEvent }) {
  const { event } = props;
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr
        data-event-id={event.id}
        data-type={event.type}
        class={open ? 'open' : ''}
        tabIndex={0}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter' && e.key !== ' ') return;
          e.preventDefault();
          setOpen(!open);
        }}
      >
        <td class="time">
          <time dateTime={event.time} title={utcTitle(event.time)}>
            {localTime(event.time)}
          </time>
        </td>
        <td>
          <span class={`badge type-${event.type}`}>{event.type}</span>
        </td>
        <td>
          {event.element ? (
            <div class="element">
              <code class="selector">{event.element.selector || event.element.tag}</code>
              {event.element.text && <span class="text">{event.element.text}</span>}
              {describeElement(event) && <span class="detail">{describeElement(event)}</span>}
            </div>
          ) : (
            <span class="name">{event.name || '—'}</span>
          )}
        </td>
        <td class="page" title={event.page.url}>
          {event.page.path ?? '—'}
        </td>
        <td class="session" title={event.sessionId}>
          {shortId(event.sessionId)}
        </td>
      </tr>
      {open && (
        <tr class="details">
          <td colSpan={5}>
            <pre>{JSON.stringify(event, null, 2)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

export function EventsTable(props: {
  state: QueryState<EventPage>;
  page: number;
  onOlder: (cursor: string) => void;
  onNewer: () => void;
  onRetry: () => void;
  /** Default: Events */
  title?: string;
}) {
  const events = props.state.data?.events ?? [];
  const next = props.state.data?.nextCursor ?? null;
  return (
    <section class="panel events" aria-busy={props.state.loading}>
      <h2>{props.title ?? 'Events'}</h2>
      <Status
        state={props.state}
        empty={events.length === 0}
        emptyText="No events in this range. Try a longer range or clear the filters."
        onRetry={props.onRetry}
      />
      {events.length > 0 && (
        <table data-testid="events-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Type</th>
              <th scope="col">Element</th>
              <th scope="col">Page</th>
              <th scope="col">Session</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <Row key={event.id} event={event} />
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pagination">
        <button type="button" disabled={props.page === 0} onClick={props.onNewer}>
          ← Newer
        </button>
        <span>Page {props.page + 1}</span>
        <button type="button" disabled={!next} onClick={() => next && props.onOlder(next)}>
          Older →
        </button>
      </nav>
    </section>
  );
}
