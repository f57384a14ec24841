// One metric per local bucket, the period against its comparison (drawn dashed),
// bots (dotted), the annotations as numbered markers, and a shaded band over
// the buckets where events are known to be missing. The same figures, with
// each bucket's completeness, are offered as a table for those who cannot read
// a canvas.
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import { mountPlot } from './mount-plot.ts';
import type { AnalyticsTimeseriesResponse, Annotation } from '../api.ts';
import { METRIC_LABELS } from '../analyze-state.ts';
import { chartCompletenessNote, type ChartCompleteness } from '../completeness-verdict.ts';
import { formatCount, percentComplete } from '../format.ts';
import { localBucketOf } from '@eventline/contract/local-time';
import { bucketLabel } from '../format-v2.ts';

const HEIGHT = 240;

/** Each annotation's bucket index in the series, or -1 when it falls outside. */
export function annotationIndexes(annotations: readonly Annotation[], series: AnalyticsTimeseriesResponse): number[] {
  return annotations.map((a) =>
    series.buckets.indexOf(localBucketOf(Date.parse(a.at), series.timezone, series.interval)),
  );
}

function cssVar(element: Element, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

export function TrendChart(props: {
  current: AnalyticsTimeseriesResponse;
  previous: AnalyticsTimeseriesResponse | undefined;
  /** The same metric for bots, drawn apart so a spike of crawlers is seen as such. */
  bots?: AnalyticsTimeseriesResponse | undefined;
  compareLabel: string;
  annotations: readonly Annotation[];
  /** Completeness aligned with `current.buckets`, once known. */
  completeness?: ChartCompleteness | undefined;
}) {
  const container = useRef<HTMLDivElement>(null);
  const { current, previous } = props;
  const bots = props.bots && props.bots.values.some((v) => v > 0) ? props.bots : undefined;
  const marks = annotationIndexes(props.annotations, current);
  const incomplete = props.completeness?.incomplete ?? [];
  const completenessNote = props.completeness && chartCompletenessNote(props.completeness, current.interval);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const accent = cssVar(element, '--accent', '#4f46e5');
    const muted = cssVar(element, '--muted', '#6b7280');
    const text = cssVar(element, '--text', '#111827');
    const line = cssVar(element, '--line', '#e5e7eb');
    const warn = cssVar(element, '--warn', '#92400e');
    const xs = current.buckets.map((_, i) => i);
    const label = (i: number | null) => (i === null ? '–' : bucketLabel(current.buckets[Math.round(i)] ?? ''));
    const options: uPlot.Options = {
      width: element.clientWidth || 800,
      height: HEIGHT,
      series: [
        { label: 'Bucket', value: (_u, i) => label(i) },
        {
          label: METRIC_LABELS[current.metric],
          stroke: accent,
          width: 2,
          fill: `${accent}22`,
          value: (_u, v) => (v === null ? '–' : formatCount(v)),
        },
        ...(previous
          ? [
              {
                label: props.compareLabel,
                stroke: muted,
                width: 1.5,
                dash: [6, 4],
                value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatCount(v)),
              },
            ]
          : []),
        ...(bots
          ? [
              {
                label: 'Bots',
                stroke: warn,
                width: 1.5,
                dash: [2, 3],
                value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatCount(v)),
              },
            ]
          : []),
      ],
      axes: [
        {
          stroke: muted,
          grid: { stroke: line },
          ticks: { stroke: line },
          // Labels are long (a date and an hour): keep them apart so a phone's axis stays readable.
          space: 120,
          values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? label(i) : '')),
        },
        { stroke: muted, grid: { stroke: line }, ticks: { stroke: line }, size: 50 },
      ],
      scales: {
        x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      cursor: { drag: { x: false, y: false } },
      hooks: {
        // Under the lines: each bucket with missing events, shaded across the plot's height.
        drawClear: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = `${warn}33`;
            for (const index of incomplete) {
              const left = u.valToPos(index - 0.5, 'x', true);
              ctx.fillRect(left, u.bbox.top, u.valToPos(index + 0.5, 'x', true) - left, u.bbox.height);
            }
            ctx.restore();
          },
        ],
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = text;
            ctx.fillStyle = text;
            ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
            marks.forEach((index, n) => {
              if (index < 0) return;
              const x = Math.round(u.valToPos(index, 'x', true));
              ctx.setLineDash([2, 3]);
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.fillText(String(n + 1), x + 3 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
            });
            ctx.restore();
          },
        ],
      },
    };
    const data: uPlot.AlignedData = [
      xs,
      current.values,
      ...(previous ? [current.buckets.map((_, i) => previous.values[i] ?? null)] : []),
      ...(bots ? [current.buckets.map((_, i) => bots.values[i] ?? null)] : []),
    ];
    return mountPlot(options, data, element, HEIGHT);
  }, [current, previous, bots, marks.join(','), incomplete.join(',')]);
  return (
    <>
      <div
        class="trend-chart"
        ref={container}
        role="img"
        aria-label={`${METRIC_LABELS[current.metric]} per ${current.interval}, against the ${props.compareLabel.toLowerCase()}; the table below has the same figures`}
      />
      {completenessNote && (
        <p class="chart-note incomplete" data-testid="trend-incomplete">
          <span class="swatch" aria-hidden="true" />
          {completenessNote}
        </p>
      )}
      <details class="chart-table">
        <summary>Show the figures as a table</summary>
        <div class="table-scroll">
          <table data-testid="trend-table">
            <caption class="visually-hidden">
              {METRIC_LABELS[current.metric]} per {current.interval}
            </caption>
            <thead>
              <tr>
                <th scope="col">
                  {current.interval === 'hour' ? 'Hour' : current.interval === 'day' ? 'Day' : 'Month'}
                </th>
                <th scope="col">{METRIC_LABELS[current.metric]}</th>
                {previous && <th scope="col">{props.compareLabel}</th>}
                {bots && <th scope="col">Bots</th>}
                {props.completeness && <th scope="col">Complete</th>}
              </tr>
            </thead>
            <tbody>
              {current.buckets.map((bucket, i) => (
                <tr key={bucket}>
                  <th scope="row">{bucketLabel(bucket)}</th>
                  <td>{formatCount(current.values[i] ?? 0)}</td>
                  {previous && <td>{formatCount(previous.values[i] ?? 0)}</td>}
                  {bots && <td>{formatCount(bots.values[i] ?? 0)}</td>}
                  {props.completeness && (
                    <td class={incomplete.includes(i) ? 'incomplete' : undefined}>
                      {percentComplete(props.completeness.ratios[i] ?? null)}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
