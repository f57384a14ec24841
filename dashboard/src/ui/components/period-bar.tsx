// The Analyze view's site, period, time zone and comparison. A shared view has
// its site fixed by the link.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { findZoneChoices, RANGE_PRESETS, type AnalyzeState, type Period } from '../analyze-state.ts';
import { SITE_MAX_LENGTH } from '../url-state.ts';

/** When the zone list is looked for, from the first render. 1.5 s */
const ZONES_AFTER_MS = 1_500;

export function PeriodBar(props: {
  state: AnalyzeState;
  site: string;
  sites: readonly string[];
  /** The site a share link fixes; the site box is then read-only. */
  lockedSite: string | undefined;
  zone: string;
  zoneNote: string | undefined;
  period: Period;
  onChange: (next: Partial<AnalyzeState>) => void;
  onSite: (site: string) => void;
  /** Absent for a shared view: it cannot make links. */
  onShare: (() => void) | undefined;
}) {
  const { state, onChange } = props;
  // Found once the page's first answers are in, while the browser is idle; until then UTC and the zone in use are
  // the choices.
  const [allZones, setAllZones] = useState<string[]>();
  useEffect(() => findZoneChoices(setAllZones, ZONES_AFTER_MS), []);
  const zones = useMemo(() => {
    const list = allZones ?? ['UTC'];
    return list.includes(props.zone) ? list : [props.zone, ...list];
  }, [allZones, props.zone]);
  return (
    <form class="period-bar" aria-label="Site and period" onSubmit={(e) => e.preventDefault()}>
      <label class="site">
        Site
        {props.lockedSite !== undefined ? (
          <input type="text" name="v2-site" value={props.lockedSite} readOnly aria-readonly="true" />
        ) : (
          <>
            <input
              type="text"
              name="v2-site"
              list="v2-sites"
              placeholder="Choose a site"
              value={props.site}
              maxLength={SITE_MAX_LENGTH}
              onChange={(e) => props.onSite(e.currentTarget.value.trim())}
            />
            <datalist id="v2-sites">
              {props.sites.map((site) => (
                <option key={site} value={site} />
              ))}
            </datalist>
          </>
        )}
      </label>
      <div class="presets" role="group" aria-label="Period">
        {RANGE_PRESETS.filter((p) => p.id !== 'custom').map((preset) => (
          <button
            type="button"
            key={preset.id}
            class={state.range === preset.id ? 'preset active' : 'preset'}
            aria-pressed={state.range === preset.id}
            onClick={() => onChange({ range: preset.id, start: '', end: '' })}
          >
            {preset.label}
          </button>
        ))}
      </div>
      <DayField
        label="First day"
        name="start"
        value={props.period.firstDay}
        max={props.period.lastDay}
        onDay={(start) => onChange({ range: 'custom', start, end: props.period.lastDay })}
      />
      <DayField
        label="Last day"
        name="end"
        value={props.period.lastDay}
        min={props.period.firstDay}
        onDay={(end) => onChange({ range: 'custom', start: props.period.firstDay, end })}
      />
      <label>
        Time zone
        <select name="tz" value={props.zone} onChange={(e) => onChange({ tz: e.currentTarget.value })}>
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Compare with
        <select
          name="compare"
          value={state.compare}
          onChange={(e) => onChange({ compare: e.currentTarget.value === 'year' ? 'year' : 'previous' })}
        >
          <option value="previous">Previous period</option>
          <option value="year">Previous year</option>
        </select>
      </label>
      {props.onShare && props.site && (
        <button type="button" class="share" onClick={props.onShare}>
          Share
        </button>
      )}
      {props.zoneNote && (
        <p class="zone-note" role="note" data-testid="zone-note">
          {props.zoneNote}
        </p>
      )}
    </form>
  );
}

/** A day of a custom period; an emptied field changes nothing. */
function DayField(props: {
  label: string;
  name: string;
  value: string;
  min?: string;
  max?: string;
  onDay: (day: string) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        type="date"
        name={props.name}
        value={props.value}
        min={props.min}
        max={props.max}
        onChange={(e) => e.currentTarget.value && props.onDay(e.currentTarget.value)}
      />
    </label>
  );
}
