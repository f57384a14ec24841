// Events per type over time as stacked bars, drawn with uPlot (canvas). Each
// type's bar is drawn from zero to the running total, largest total first, so
// the colours stack; the legend shows each type's own count.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { mountPlot } from './mount-plot.ts';
import type { TimeSeries } from '../api.ts';
import { bucketTime } from '../format.ts';

export const TYPE_COLORS: Record<string, string> = {
  click: '#4f46e5',
  input: '#059669',
  change: '#d97706',
  pageview: '#0891b2',
  identify: '#db2777',
  custom: '#6b7280',
};

const HEIGHT = 220;

/** Running totals per bucket, in type order: stacked[i] = counts of types 0..i. */
export function stack(series: number[][]): number[][] {
  const totals: number[][] = [];
  series.forEach((counts, i) => totals.push(counts.map((count, j) => count + (i > 0 ? totals[i - 1]![j]! : 0))));
  return totals;
}

export function EventsChart(props: { data: TimeSeries }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const types = Object.keys(props.data.series).sort();
    const counts = types.map((type) => props.data.series[type] ?? []);
    // Drawn top type first so every lower segment paints over it.
    const order = types.map((_, i) => i).reverse();
    const stacked = stack(counts);
    const bars = uPlot.paths.bars!({ size: [0.8, 40], align: 1 });
    const options: uPlot.Options = {
      width: element.clientWidth || 800,
      height: HEIGHT,
      series: [
        // The hover readout: uPlot's x values are in seconds.
        {
          label: 'Time',
          value: (_u: uPlot, seconds: number | null) => (seconds === null ? '–' : bucketTime(seconds * 1000)),
        },
        ...order.map((i) => ({
          label: types[i],
          stroke: TYPE_COLORS[types[i]!] ?? '#111827',
          fill: TYPE_COLORS[types[i]!] ?? '#111827',
          width: 0,
          paths: bars,
          points: { show: false },
          value: (_u: uPlot, _v: number | null, _series: number, index: number | null) =>
            index === null ? '–' : String(counts[i]![index] ?? 0),
        })),
      ],
      axes: [{}, { label: 'events', size: 50 }],
      // Each bar starts at its bucket's time, so the axis runs one interval past the last bucket or its bar is cut off.
      scales: {
        x: { time: true, range: (_u, min, max) => [min, max + props.data.intervalMs / 1000] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      cursor: { drag: { x: false, y: false } },
    };
    const data: uPlot.AlignedData = [props.data.buckets.map((ms) => ms / 1000), ...order.map((i) => stacked[i]!)];
    return mountPlot(options, data, element, HEIGHT);
  }, [props.data]);
  return <div class="chart" ref={container} aria-label="Events per type over time" role="img" />;
}
