// Events per type over time, drawn with uPlot (canvas; labels are set as text).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TimeSeries } from '../api.ts';

export const TYPE_COLORS: Record<string, string> = {
  click: '#4f46e5',
  input: '#059669',
  change: '#d97706',
  pageview: '#0891b2',
  identify: '#db2777',
  custom: '#6b7280',
};

export function EventsChart(props: { data: TimeSeries }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const types = Object.keys(props.data.series).sort();
    const options: uPlot.Options = {
      width: element.clientWidth || 800,
      height: 220,
      series: [
        { label: 'Time' },
        ...types.map((type) => ({ label: type, stroke: TYPE_COLORS[type] ?? '#111827', fill: `${TYPE_COLORS[type] ?? '#111827'}22`, width: 2, points: { show: false } })),
      ],
      axes: [{}, { label: 'events', size: 50 }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      cursor: { drag: { x: false, y: false } },
    };
    const data: uPlot.AlignedData = [props.data.buckets.map((ms) => ms / 1000), ...types.map((type) => props.data.series[type] ?? [])];
    const plot = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: 220 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [props.data]);
  return <div class="chart" ref={container} aria-label="Events per type over time" role="img" />;
}
