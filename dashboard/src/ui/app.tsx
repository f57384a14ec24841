// The Analyze page: filters in the URL, chart, top lists, data completeness and the events table,
// all reloaded together on every change and every few seconds in live mode.
import { useEffect, useRef, useState } from 'preact/hooks';
import { API_LIMITS } from '@eventline/contract/read-api/limits';
import { api, ApiError } from './api.ts';
import { CompletenessPanel } from './components/completeness-panel.tsx';
import { EventsChart } from './components/events-chart.tsx';
import { EventsTable } from './components/events-table.tsx';
import { FiltersBar } from './components/filters-bar.tsx';
import { Status } from './components/status.tsx';
import { TokenForm } from './components/token-form.tsx';
import { TopList } from './components/top-list.tsx';
import { useQuery } from './use-query.ts';
import { formatCount } from './format.ts';
import {
  apiParams,
  completenessParams,
  parseFilters,
  serializeFilters,
  type Filters,
  type HistoryMode,
} from './url-state.ts';

/** How often live mode refreshes. 5 s */
const LIVE_INTERVAL_MS = 5_000;
const PAGE_SIZE = '50';

export function App() {
  const [filters, setFilters] = useState<Filters>(() => parseFilters(location.search));
  /** cursors[i] opens page i + 1; the first page needs none. */
  const [cursors, setCursors] = useState<string[]>([]);
  const [tick, setTick] = useState(0);
  const [exportError, setExportError] = useState<string>();
  const [exportTruncated, setExportTruncated] = useState(false);
  const [exporting, setExporting] = useState(false);
  // Filters that came from the URL (first load, Back/Forward) only rewrite it
  // into its canonical form; pushing there would add an entry per load and cut
  // off the Forward history.
  const nextHistory = useRef<HistoryMode>('replace');

  useEffect(() => {
    const mode = nextHistory.current;
    nextHistory.current = 'replace';
    const url = `${location.pathname}${serializeFilters(filters)}`;
    if (url === `${location.pathname}${location.search}`) return;
    if (mode === 'push') history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }, [filters]);
  useEffect(() => {
    const onPop = () => {
      setFilters(parseFilters(location.search));
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

  const inputs = [filters, tick];
  const events = useQuery(
    (signal) => api.events(apiParams(filters, { limit: PAGE_SIZE, cursor: cursors[cursors.length - 1] }), signal),
    [...inputs, cursors],
  );
  const series = useQuery((signal) => api.timeseries(apiParams(filters), signal), inputs);
  const topElements = useQuery((signal) => api.top(apiParams(filters, { dimension: 'element' }), signal), inputs);
  const topPages = useQuery((signal) => api.top(apiParams(filters, { dimension: 'page' }), signal), inputs);
  const completeness = useQuery((signal) => api.completeness(completenessParams(filters), signal), inputs);

  const change = (next: Partial<Filters>, mode: HistoryMode = 'push') => {
    if (mode === 'push') nextHistory.current = 'push';
    setFilters((previous) => ({ ...previous, ...next }));
    setCursors([]);
  };
  const unauthorized = [events, series, topElements, topPages, completeness].some(
    (state) => state.error instanceof ApiError && state.error.status === 401,
  );

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

  return (
    <>
      <header class="top-bar">
        <h1>
          <svg class="logo" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M1 12 5 6l3 4 3-7 4 9" fill="none" stroke="#a5b4fc" stroke-width="2" />
          </svg>{' '}
          Eventline <span class="subtitle">Analyze</span>
        </h1>
        {filters.live && (
          <span class="live-dot" title={`Refreshing every ${LIVE_INTERVAL_MS / 1000} s`}>
            Live
          </span>
        )}
      </header>
      <main>
        <FiltersBar
          filters={filters}
          sites={completeness.data?.sites.map((s) => s.site) ?? []}
          onChange={change}
          onExport={() => void exportCsv()}
          exporting={exporting}
        />
        {exportError && (
          <p class="state error" role="alert">
            Export failed: {exportError}
          </p>
        )}
        {exportTruncated && (
          <p class="state notice" role="status" data-testid="export-truncated">
            The export holds the newest {formatCount(API_LIMITS.maxExportRows)} events only: this range has more. Narrow
            the range to export the rest.
          </p>
        )}
        {unauthorized ? (
          <TokenForm onSaved={() => setTick((n) => n + 1)} />
        ) : (
          <>
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
        )}
      </main>
    </>
  );
}

function formatInterval(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
