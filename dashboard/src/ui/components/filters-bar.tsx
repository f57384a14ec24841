// From/To pickers with presets, the type and site filters, the search box, live mode and CSV export.
import { useEffect, useState } from 'preact/hooks';
import { localInputToIso, msToLocalInput, PRESETS, resolveTime, SITE_MAX_LENGTH, type Filters } from '../url-state.ts';
import { timeZoneName } from '../format.ts';

const TYPES = ['click', 'input', 'change', 'pageview', 'identify', 'custom'];

export function FiltersBar(props: {
  filters: Filters;
  /** Sites to suggest in the site box. */
  sites: readonly string[];
  onChange: (next: Partial<Filters>) => void;
  onExport: () => void;
  exporting: boolean;
}) {
  const { filters, onChange } = props;
  const [search, setSearch] = useState(filters.q);
  useEffect(() => setSearch(filters.q), [filters.q]);
  useEffect(() => {
    if (search === filters.q) return;
    const timer = setTimeout(() => onChange({ q: search }), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const now = Date.now();
  const setTime = (which: 'from' | 'to', value: string) => {
    const iso = localInputToIso(value);
    if (iso) onChange({ [which]: iso });
  };

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
        <input type="datetime-local" name="from" value={msToLocalInput(resolveTime(filters.from, now))} onChange={(e) => setTime('from', e.currentTarget.value)} />
      </label>
      <label>
        To
        <input type="datetime-local" name="to" value={msToLocalInput(resolveTime(filters.to, now))} onChange={(e) => setTime('to', e.currentTarget.value)} />
      </label>
      <span class="zone" title="Times are shown in your time zone; hover a time for UTC">{timeZoneName()}</span>
      <label>
        Type
        <select name="type" value={filters.type} onChange={(e) => onChange({ type: e.currentTarget.value })}>
          <option value="">All types</option>
          {TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
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
        <input type="search" name="q" placeholder="element text, selector, page…" value={search} maxLength={200} onInput={(e) => setSearch(e.currentTarget.value)} />
      </label>
      <label class="live">
        <input type="checkbox" name="live" checked={filters.live} onChange={(e) => onChange({ live: e.currentTarget.checked })} />
        Live
      </label>
      <button type="button" class="export" onClick={props.onExport} disabled={props.exporting}>
        {props.exporting ? 'Exporting…' : 'Export CSV'}
      </button>
    </form>
  );
}
