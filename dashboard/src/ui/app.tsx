// The dashboard's two views. Analyze: one site's answers from the read API v2,
// key figures against a comparison, the metric over time with annotations,
// breakdowns on every dimension (a row adds a filter chip), a funnel and one
// element's figures. Events (/events): the raw events with their own filters,
// chart, top lists, completeness, CSV and live mode. A view asks only for what
// it shows; everything the viewer chooses lives in the URL.
import type { FunnelStep, Metric } from '@eventline/contract/read-api';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { comparisonRange, defaultInterval, wholeHours } from '@eventline/contract/answer-range';
import { API_LIMITS } from '@eventline/contract/read-api/limits';
import {
  api,
  ApiError,
  shareScope,
  shareToken,
  type Annotation,
  type BreakdownResponse,
  type ElementResponse,
  type FunnelResponse,
} from './api.ts';
import {
  DIMENSION_IDS,
  effectiveZone,
  MAX_CHIPS,
  parseAnalyze,
  rawPeriod,
  resolvePeriod,
  SERVER_FILTERS,
  writeAnalyze,
  type AnalyzeState,
  type Dimension,
} from './analyze-state.ts';
import { Annotations } from './components/annotations.tsx';
import { BreakdownPanel } from './components/breakdown-panel.tsx';
import { Chips } from './components/chips.tsx';
import { chartCompleteness } from './completeness-verdict.ts';
import { CompletenessPanel } from './components/completeness-panel.tsx';
import { ElementPanel } from './components/element-panel.tsx';
import { EventsChart } from './components/events-chart.tsx';
import { EventsTable } from './components/events-table.tsx';
import { FiltersBar } from './components/filters-bar.tsx';
import { FunnelPanel } from './components/funnel-panel.tsx';
import { KeyFigures } from './components/key-figures.tsx';
import { PeriodBar } from './components/period-bar.tsx';
import { ShareDialog } from './components/share-dialog.tsx';
import { Status } from './components/status.tsx';
import { TokenForm } from './components/token-form.tsx';
import { TopList } from './components/top-list.tsx';
import { annotationIndexes, TrendChart } from './components/trend-chart.tsx';
import { useQuery, type QueryState } from './use-query.ts';
import { formatCount } from './format.ts';
import { instantLabel } from './format-v2.ts';
import {
  apiParams,
  completenessParams,
  parseFilters,
  pathOf,
  serializeFilters,
  viewOf,
  type Filters,
  type HistoryMode,
  type View,
} from './url-state.ts';

/** How often live mode refreshes. 5 s */
const LIVE_INTERVAL_MS = 5_000;
const PAGE_SIZE = '50';
/** Longest period a filtered answer (read from raw events) may cover. 31 days */
const RAW_RANGE_MS = 31 * 86_400_000;
/** Breakdown rows per panel. */
const BREAKDOWN_ROWS = '10';

/** The state with these chips first (a share link's), each once. */
function withChips(state: AnalyzeState, chips: readonly string[] | undefined): AnalyzeState {
  return chips?.length ? { ...state, chips: [...new Set([...chips, ...state.chips])] } : state;
}

function viewSearch(filters: Filters, analyze: AnalyzeState): string {
  const params = new URLSearchParams(serializeFilters(filters));
  writeAnalyze(analyze, params);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function App() {
  // A page opened from a share link reads with the link's token, for its site only.
  const [share] = useState(() => {
    const token = shareToken();
    return token ? (shareScope(token) ?? { site: '', filters: [], expiresAt: 0 }) : undefined;
  });
  const [filters, setFilters] = useState<Filters>(() => {
    const parsed = parseFilters(location.search);
    return share ? { ...parsed, site: share.site } : parsed;
  });
  // A link's filters are in force on every answer (the server adds them): they are shown as chips that stay.
  const [analyze, setAnalyze] = useState<AnalyzeState>(() => withChips(parseAnalyze(location.search), share?.filters));
  const lockedChips = share?.filters ?? [];
  const [view, setView] = useState<View>(() => viewOf(location.pathname));
  /** cursors[i] opens page i + 1; the first page needs none. */
  const [cursors, setCursors] = useState<string[]>([]);
  const [tick, setTick] = useState(0);
  const [exportError, setExportError] = useState<string>();
  const [exportTruncated, setExportTruncated] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [selectors, setSelectors] = useState<Record<string, string>>({});
  // Filters that came from the URL (first load, Back/Forward) only rewrite it
  // into its canonical form; pushing there would add an entry per load and cut
  // off the Forward history.
  const nextHistory = useRef<HistoryMode>('replace');

  useEffect(() => {
    const mode = nextHistory.current;
    nextHistory.current = 'replace';
    const url = `${pathOf(view, location.pathname)}${viewSearch(filters, analyze)}`;
    if (url === `${location.pathname}${location.search}`) return;
    if (mode === 'push') history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }, [filters, analyze, view]);
  useEffect(() => {
    const onPop = () => {
      const parsed = parseFilters(location.search);
      setFilters(share ? { ...parsed, site: share.site } : parsed);
      setAnalyze(withChips(parseAnalyze(location.search), share?.filters));
      setView(viewOf(location.pathname));
      setCursors([]);
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    if (!filters.live) return;
    // A hidden tab does not poll; it catches up as soon as it is shown again.
    const refresh = () => void (document.hidden || setTick((n) => n + 1));
    const timer = setInterval(refresh, LIVE_INTERVAL_MS);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, [filters.live]);

  // Raw events, asked for on their own view. Their routes cannot apply a link's filters, so a filtered link does
  // not ask them (never settles).
  const rawAllowed = !share || share.filters.length === 0;
  const rawShown = view === 'events' && rawAllowed;
  const raw_ = <T,>(run: () => Promise<T>): Promise<T> => (rawShown ? run() : new Promise<T>(() => undefined));
  const inputs = [filters, tick, rawShown];
  const events = useQuery(
    (signal) =>
      raw_(() => api.events(apiParams(filters, { limit: PAGE_SIZE, cursor: cursors[cursors.length - 1] }), signal)),
    [...inputs, cursors],
  );
  const series = useQuery((signal) => raw_(() => api.timeseries(apiParams(filters), signal)), inputs);
  const topElements = useQuery(
    (signal) => raw_(() => api.top(apiParams(filters, { dimension: 'element' }), signal)),
    inputs,
  );
  const topPages = useQuery((signal) => raw_(() => api.top(apiParams(filters, { dimension: 'page' }), signal)), inputs);
  const completeness = useQuery((signal) => raw_(() => api.completeness(completenessParams(filters), signal)), inputs);

  // Answers of the read API v2, for one site.
  const site = share?.site ?? filters.site;
  const { zone, note: zoneNote } = effectiveZone(analyze.tz);
  const period = resolvePeriod(analyze, zone);
  const raw = rawPeriod(period);
  const chipKey = analyze.chips.join('\n');
  const analyzing = view === 'analyze' && Boolean(site);
  const v2Inputs = [site, period.from, period.to, zone, chipKey, tick, analyzing];
  // The chart's interval and comparison are the server's own arithmetic, so its four series are asked for at once.
  const answerRange = wholeHours({ from: Date.parse(period.from), to: Date.parse(period.to) });
  const interval = defaultInterval(answerRange);
  const before = comparisonRange(answerRange, analyze.compare);
  const compareRange = { from: new Date(before.from).toISOString(), to: new Date(before.to).toISOString() };
  const v2 = (extra: Record<string, string | undefined> = {}, range: { from: string; to: string } = period) => {
    const params = new URLSearchParams({ site, from: range.from, to: range.to, timezone: zone });
    if (SERVER_FILTERS) for (const chip of analyze.chips) params.append('filter', chip);
    for (const [key, value] of Object.entries(extra)) if (value !== undefined) params.set(key, value);
    return params;
  };
  const ifSite = <T,>(run: () => Promise<T>): Promise<T | undefined> =>
    analyzing ? run() : Promise.resolve(undefined);
  const sites = useQuery(
    (signal) => (view === 'analyze' && !share ? api.sites(signal) : Promise.resolve(undefined)),
    [view, tick],
  );
  const overview = useQuery(
    (signal) => ifSite(() => api.overview(v2({ compare: analyze.compare }), signal)),
    [...v2Inputs, analyze.compare],
  );
  const trend = useQuery(
    (signal) => ifSite(() => api.trend(v2({ metric: analyze.metric, interval }), signal)),
    [...v2Inputs, analyze.metric],
  );
  // Bots are counted apart; drawn on the chart, they show when traffic is not people.
  const trendBots = useQuery(
    (signal) => ifSite(() => api.trend(v2({ metric: analyze.metric, interval, bots: 'only' }), signal)),
    [...v2Inputs, analyze.metric],
  );
  // Completeness per bucket (at most the last 31 days) ignores filters, so a link whose filters the server enforces
  // does not ask for it.
  const trendCompleteness = useQuery(
    (signal) =>
      ifSite(() =>
        share?.filters.length
          ? Promise.resolve(undefined)
          : api.bucketCompleteness(
              new URLSearchParams({ site, from: raw.from, to: raw.to, timezone: zone, interval }),
              signal,
            ),
      ),
    [site, raw.from, raw.to, zone, tick, analyzing, share?.filters.length],
  );
  const trendBefore = useQuery(
    (signal) => ifSite(() => api.trend(v2({ metric: analyze.metric, interval }, compareRange), signal)),
    [...v2Inputs, analyze.metric, compareRange.from, compareRange.to],
  );
  // Every breakdown of the page in one request: one read of the rollups, not one per panel.
  const allBreakdowns = useQuery(
    (signal) =>
      ifSite(() => {
        const params = v2({ metric: analyze.metric, limit: BREAKDOWN_ROWS });
        for (const dimension of DIMENSION_IDS) params.append('dimension', dimension);
        return api.breakdowns(params, signal);
      }),
    [...v2Inputs, analyze.metric],
  );
  const breakdowns = {} as Record<Dimension, QueryState<BreakdownResponse | undefined>>;
  for (const dimension of DIMENSION_IDS) {
    const answer = allBreakdowns.data;
    const rows = answer?.breakdowns.find((breakdown) => breakdown.dimension === dimension)?.rows;
    breakdowns[dimension] = {
      ...allBreakdowns,
      data: answer &&
        rows && { range: answer.range, timezone: answer.timezone, metric: answer.metric, dimension, rows },
    };
  }
  const stepKey = analyze.steps.join('\n');
  const funnel = useQuery(
    (signal) => {
      if (!analyzing || analyze.steps.length < 2) return Promise.resolve(undefined);
      const params = v2({}, raw);
      for (const step of analyze.steps) params.append('step', step);
      return api.funnel(params, signal);
    },
    [...v2Inputs, stepKey],
  );
  const element = useQuery(
    (signal) =>
      analyzing && analyze.element
        ? api.element(v2({ label: analyze.element }, raw), signal)
        : Promise.resolve(undefined),
    [...v2Inputs, analyze.element],
  );
  const annotations = useQuery(
    (signal) => ifSite(() => api.annotations(new URLSearchParams({ site, from: period.from, to: period.to }), signal)),
    [site, period.from, period.to, tick, analyzing],
  );

  const change = (next: Partial<Filters>, mode: HistoryMode = 'push') => {
    if (mode === 'push') nextHistory.current = 'push';
    setFilters((previous) => ({ ...previous, ...next, ...(share ? { site: share.site } : {}) }));
    setCursors([]);
  };
  const changeView = (next: Partial<AnalyzeState>) => {
    nextHistory.current = 'push';
    setAnalyze((previous) => ({ ...previous, ...next }));
  };
  const addChip = (chip: string) => {
    if (analyze.chips.includes(chip) || analyze.chips.length >= MAX_CHIPS) return;
    changeView({ chips: [...analyze.chips, chip] });
  };
  const elementEventsKey = [site, raw.from, raw.to, zone, chipKey, analyze.element, tick].join('\n');
  const loadElementEvents = useMemo(
    () => (cursor: string | undefined, signal: AbortSignal) => {
      const params = v2({ limit: PAGE_SIZE, cursor }, raw);
      params.append('filter', `label:${analyze.element}`);
      return api.siteEvents(params, signal);
    },
    [elementEventsKey],
  );
  const lookUpSelectors = (label: string) => {
    if (!site || label in selectors) return;
    setSelectors((known) => ({ ...known, [label]: '' }));
    api.element(v2({ label }, raw)).then(
      (answer: ElementResponse) => setSelectors((known) => ({ ...known, [label]: answer.selectors.join(', ') })),
      () => undefined,
    );
  };

  const all = [events, series, topElements, topPages, completeness, overview, trend];
  const unauthorized = all
    .map((state) => state.error)
    .find((error) => error instanceof ApiError && error.status === 401) as ApiError | undefined;

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    setExportTruncated(false);
    try {
      setExportTruncated(
        (await api.exportCsv(apiParams(filters, { limit: String(API_LIMITS.maxExportRows) }))).truncated,
      );
    } catch (error) {
      setExportError((error as Error).message);
    } finally {
      setExporting(false);
    }
  };

  const annotationList: Annotation[] = annotations.data?.annotations ?? [];
  const marks = trend.data ? annotationIndexes(annotationList, trend.data) : [];
  const compareLabel = analyze.compare === 'year' ? 'Previous year' : 'Previous period';
  const values = (dimension: Dimension) =>
    (breakdowns[dimension].data?.rows ?? [])
      .map((row) => row.value)
      .filter((value) => value !== '(other)' && value !== '(none)');
  const fixedChips = new Set(lockedChips);
  const funnelNote =
    raw.from !== period.from ? 'Funnels and elements read raw events: the last 31 days of the period' : undefined;

  return (
    <>
      <header class="top-bar">
        <h1>
          <svg class="logo" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M1 12 5 6l3 4 3-7 4 9" fill="none" stroke="#a5b4fc" stroke-width="2" />
          </svg>{' '}
          Eventline
        </h1>
        <nav class="views" aria-label="Views">
          {VIEWS.map(({ id, label }) => (
            <a
              key={id}
              href={`${pathOf(id, location.pathname)}${viewSearch(filters, analyze)}`}
              aria-current={view === id ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                if (view === id) return;
                nextHistory.current = 'push';
                setView(id);
              }}
            >
              {label}
            </a>
          ))}
        </nav>
        {filters.live && (
          <span class="live-dot" title={`Refreshing every ${LIVE_INTERVAL_MS / 1000} s`}>
            Live
          </span>
        )}
      </header>
      {share && (
        <p class="shared-banner" role="note" data-testid="shared-banner">
          Shared view of <strong>{share.site}</strong>, until {instantLabel(share.expiresAt)}
        </p>
      )}
      <main>
        {unauthorized ? (
          share ? (
            <section class="panel" data-testid="share-refused">
              <h2>This link does not open</h2>
              <p class="state error" role="alert">
                {unauthorized.message}
              </p>
              <p>Ask whoever sent it for a new link.</p>
            </section>
          ) : (
            <TokenForm onSaved={() => setTick((n) => n + 1)} />
          )
        ) : (
          <>
            {view === 'analyze' && (
              <PeriodBar
                state={analyze}
                site={site}
                sites={sites.data?.sites ?? []}
                lockedSite={share?.site}
                zone={zone}
                zoneNote={zoneNote}
                period={period}
                onChange={changeView}
                onSite={(next) => change({ site: next })}
                onShare={share ? undefined : () => setSharing(true)}
              />
            )}
            {sharing && (
              <ShareDialog
                site={site}
                chips={analyze.chips}
                view={viewSearch(filters, analyze)}
                onClose={() => setSharing(false)}
              />
            )}
            {view !== 'analyze' ? null : !site ? (
              <ChooseSite sites={sites.data?.sites} onSite={(next) => change({ site: next })} />
            ) : (
              <>
                <KeyFigures
                  state={overview as QueryState<NonNullable<typeof overview.data>>}
                  compare={analyze.compare}
                  metric={analyze.metric}
                  onMetric={(metric: Metric) => changeView({ metric })}
                />
                <Chips
                  chips={analyze.chips}
                  fixed={fixedChips}
                  onRemove={(chip) => changeView({ chips: analyze.chips.filter((c) => c !== chip) })}
                  note={
                    !SERVER_FILTERS
                      ? 'Kept in the link; the read API does not filter these answers yet'
                      : Date.parse(period.to) - Date.parse(period.from) > RAW_RANGE_MS
                        ? 'Filtered answers cover at most 31 days: choose a shorter period'
                        : undefined
                  }
                />
                <section
                  class="panel chart-panel"
                  aria-busy={trend.loading || trendBefore.loading || trendBots.loading || trendCompleteness.loading}
                  data-testid="trend"
                >
                  <h2>
                    {trend.data ? `${trend.data.metric[0]!.toUpperCase()}${trend.data.metric.slice(1)}` : 'Trend'}
                    <span class="hint">
                      per {trend.data?.interval ?? '…'} in {zone}, dashed: {compareLabel.toLowerCase()}
                      {trendBots.data?.values.some((v) => v > 0) ? ', dotted: bots' : ''}
                    </span>
                  </h2>
                  <Status state={trend} empty={false} emptyText="" onRetry={() => setTick((n) => n + 1)} />
                  {trend.data && answered(trendBefore) && answered(trendBots) && (
                    <TrendChart
                      current={trend.data}
                      previous={trendBefore.data}
                      bots={trendBots.data}
                      compareLabel={compareLabel}
                      annotations={annotationList}
                      completeness={
                        trendCompleteness.data && chartCompleteness(trend.data.buckets, trendCompleteness.data)
                      }
                    />
                  )}
                  {annotations.data && (
                    <Annotations
                      annotations={annotationList}
                      marks={marks}
                      timeZone={zone}
                      onAdd={
                        share
                          ? undefined
                          : async (at, text) => {
                              await api.addAnnotation({ site, at, text });
                              setTick((n) => n + 1);
                            }
                      }
                      onRemove={
                        share
                          ? undefined
                          : async (id) => {
                              await api.removeAnnotation(id, site);
                              setTick((n) => n + 1);
                            }
                      }
                    />
                  )}
                </section>
                <div class="breakdowns">
                  {DIMENSION_IDS.map((dimension) => (
                    <BreakdownPanel
                      key={dimension}
                      dimension={dimension}
                      metric={analyze.metric}
                      state={breakdowns[dimension] as QueryState<BreakdownResponse>}
                      onFilter={addChip}
                      {...(dimension === 'label'
                        ? {
                            onElement: (label: string) => changeView({ element: label }),
                            describe: (label: string) => selectors[label] || undefined,
                            onHover: lookUpSelectors,
                          }
                        : {})}
                    />
                  ))}
                </div>
                {analyze.element && (
                  <ElementPanel
                    label={analyze.element}
                    state={element as QueryState<ElementResponse>}
                    onClose={() => changeView({ element: '' })}
                    loadEvents={loadElementEvents}
                  />
                )}
                <FunnelPanel
                  steps={analyze.steps}
                  onSteps={(steps: FunnelStep[]) => changeView({ steps })}
                  state={analyze.steps.length >= 2 ? (funnel as QueryState<FunnelResponse>) : undefined}
                  suggestions={{ pageview: values('path'), element: values('label'), custom: values('name') }}
                  rangeNote={funnelNote}
                />
              </>
            )}
            {rawShown ? (
              <>
                <div class="raw-events">
                  <h2 class="section-title">Raw events</h2>
                  <FiltersBar
                    filters={filters}
                    sites={completeness.data?.sites.map((s) => s.site) ?? []}
                    onChange={change}
                    onExport={() => void exportCsv()}
                    exporting={exporting}
                    locked={share ? ['site'] : []}
                  />
                  {exportError && (
                    <p class="state error" role="alert">
                      Export failed: {exportError}
                    </p>
                  )}
                  {exportTruncated && (
                    <p class="state notice" role="status" data-testid="export-truncated">
                      The export holds the newest {formatCount(API_LIMITS.maxExportRows)} events only: this range has
                      more. Narrow the range to export the rest.
                    </p>
                  )}
                </div>
                <section class="panel chart-panel" aria-busy={series.loading}>
                  <h2>
                    Events over time{' '}
                    <span class="total" data-testid="chart-total">
                      {series.data?.total ?? '…'}
                    </span>
                    <span class="hint">{series.data && `per ${formatInterval(series.data.intervalMs)}`}</span>
                  </h2>
                  <Status
                    state={series}
                    empty={series.data?.total === 0}
                    emptyText="No events in this range"
                    onRetry={() => setTick((n) => n + 1)}
                  />
                  {series.data && series.data.total > 0 && <EventsChart data={series.data} />}
                </section>
                <div class="tops">
                  <TopList title="Top elements" state={topElements} testId="top-elements" />
                  <TopList title="Top pages" state={topPages} testId="top-pages" />
                </div>
                <CompletenessPanel state={completeness} onRetry={() => setTick((n) => n + 1)} />
                <EventsTable
                  state={events}
                  page={cursors.length}
                  onOlder={(cursor) => setCursors([...cursors, cursor])}
                  onNewer={() => setCursors(cursors.slice(0, -1))}
                  onRetry={() => setTick((n) => n + 1)}
                />
              </>
            ) : (
              view === 'events' && (
                <p class="panel state empty" data-testid="raw-hidden">
                  Raw events are not part of a filtered shared view.
                </p>
              )
            )}
          </>
        )}
      </main>
    </>
  );
}

const VIEWS: readonly { id: View; label: string }[] = [
  { id: 'analyze', label: 'Analyze' },
  { id: 'events', label: 'Events' },
];

function ChooseSite(props: { sites: readonly string[] | undefined; onSite: (site: string) => void }) {
  return (
    <section class="panel state empty" data-testid="choose-site">
      <p>Choose a site to see its visitors, breakdowns and funnels.</p>
      {props.sites && props.sites.length > 0 && (
        <ul class="site-choices">
          {props.sites.map((site) => (
            <li key={site}>
              <button type="button" onClick={() => props.onSite(site)}>
                {site}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * Whether a query has answered (or failed) once: the chart is drawn when its comparison and bots have, not once per
 * series as each arrives. A live refresh keeps the last answer, so the chart stays.
 */
const answered = (state: QueryState<unknown>) =>
  state.data !== undefined || state.error !== undefined || !state.loading;

function formatInterval(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
