// From/To pickers with presets, the type and site filters, the search box, live mode and CSV export.
import { STORED_EVENT_TYPES } from '@eventline/contract/limits';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  localInputToIso,
  msToLocalInput,
  PRESETS,
  resolveTime,
  SITE_MAX_LENGTH,
  type Filters,
  type HistoryMode,
} from '../url-state.ts';
import { timeZoneName } from '../format.ts';

/**
 * A From/To picker. A preset like `-1h` moves with the clock, so its value is
 * recomputed on every render; while the picker has focus it is left alone, or
 * a live refresh (or any answer arriving) would reset what the viewer is typing.
 */
function TimeInput(props: { name: 'from' | 'to'; value: string; onCommit: (iso: string) => void }) {
  const [editing, setEditing] = useState(false);
  return (
    <input
      type="datetime-local"
      name={props.name}
      value={editing ? undefined : msToLocalInput(resolveTime(props.value, Date.now()))}
      onFocus={() => setEditing(true)}
      onBlur={() => setEditing(false)}
      onChange={(e) => {
        const iso = localInputToIso(e.currentTarget.value);
        if (iso) props.onCommit(iso);
      }}
    />
  );
}

export function FiltersBar(props: {
  filters: Filters;
  /** Sites to suggest in the site box. */
  sites: readonly string[];
  onChange: (next: Partial<Filters>, history?: HistoryMode) => void;
  onExport: () => void;
  exporting: boolean;
  /** Filters a share link fixes: shown, not editable. */
  locked?: readonly string[];
}) {
  const locked = new Set(props.locked ?? []);
  const { filters, onChange } = props;
  const [search, setSearch] = useState(filters.q);
  // The search this box last sent: its echo must not overwrite what was typed since.
  const sent = useRef(filters.q);
  useEffect(() => {
    if (filters.q !== sent.current) setSearch(filters.q);
    sent.current = filters.q;
  }, [filters.q]);
  useEffect(() => {
    if (search === filters.q) return;
    // Starting a search is a step Back undoes; each keystroke after it only rewrites that step.
    const timer = setTimeout(() => {
      sent.current = search;
      onChange({ q: search }, filters.q ? 'replace' : 'push');
    }, 300);
    return () => clearTimeout(timer);
  }, [search]);

  // A shared link may filter on several types; the select offers that combination beside the single ones.
  const typeOptions = filters.type.includes(',') ? [filters.type, ...STORED_EVENT_TYPES] : STORED_EVENT_TYPES;

  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filters">
      <div class="presets" role="group" aria-label="Time range presets">
        {PRESETS.map((preset) => (
          <button
            type="button"
            key={preset.from}
            class={filters.from === preset.from && filters.to === 'now' ? 'preset active' : 'preset'}
            aria-pressed={filters.from === preset.from && filters.to === 'now'}
            onClick={() => onChange({ from: preset.from, to: 'now' })}
          >
            {preset.label}
          </button>
        ))}
      </div>
      <label>
        From
        <TimeInput name="from" value={filters.from} onCommit={(from) => onChange({ from })} />
      </label>
      <label>
        To
        <TimeInput name="to" value={filters.to} onCommit={(to) => onChange({ to })} />
      </label>
      <span class="zone" title="Times are shown in your time zone; hover a time for UTC">
        {timeZoneName()}
      </span>
      <label>
        Type
        <select
          name="type"
          value={filters.type}
          disabled={locked.has('type')}
          onChange={(e) => onChange({ type: e.currentTarget.value })}
        >
          <option value="">All types</option>
          {typeOptions.map((type) => (
            <option key={type} value={type}>
              {type.replaceAll(',', ', ')}
            </option>
          ))}
        </select>
      </label>
      <label class="site">
        Site
        <input
          type="text"
          name="site"
          placeholder="All sites"
          list="known-sites"
          value={filters.site}
          readOnly={locked.has('site')}
          maxLength={SITE_MAX_LENGTH}
          onChange={(e) => onChange({ site: e.currentTarget.value.trim() })}
        />
        <datalist id="known-sites">
          {props.sites.map((site) => (
            <option key={site} value={site} />
          ))}
        </datalist>
      </label>
      <label class="search">
        Search
        <input
          type="search"
          name="q"
          placeholder="element text, selector, page…"
          value={search}
          readOnly={locked.has('q')}
          maxLength={200}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
      </label>
      <label class="live">
        <input
          type="checkbox"
          name="live"
          checked={filters.live}
          onChange={(e) => onChange({ live: e.currentTarget.checked })}
        />
        Live
      </label>
      <button type="button" class="export" onClick={props.onExport} disabled={props.exporting}>
        {props.exporting ? 'Exporting…' : 'Export CSV'}
      </button>
    </form>
  );
}
