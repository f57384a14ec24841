// Visitors, sessions, page views and events of the period with their change
// against the comparison; each is also the switch for the chart's metric.
import type { Metric } from '@eventline/contract/read-api';
import type { OverviewResponse } from '../api.ts';
import { METRIC_IDS, METRIC_LABELS } from '../analyze-state.ts';
import { formatCount } from '../format.ts';
import { formatChange } from '../format-v2.ts';
import type { QueryState } from '../use-query.ts';
import { Status } from './status.tsx';

export function KeyFigures(props: {
  state: QueryState<OverviewResponse>;
  compare: 'previous' | 'year';
  metric: Metric;
  onMetric: (metric: Metric) => void;
}) {
  const data = props.state.data;
  const against = props.compare === 'year' ? 'previous year' : 'previous period';
  return (
    <section class="panel figures-panel" aria-label="Key figures" aria-busy={props.state.loading}>
      <Status state={props.state} empty={false} emptyText="" />
      <div class="key-figures" role="group" aria-label="Chart metric">
        {METRIC_IDS.map((metric) => {
          const figure = data?.metrics[metric];
          const tone =
            !figure || figure.change === null || figure.change === 0 ? '' : figure.change > 0 ? 'up' : 'down';
          return (
            <button
              type="button"
              key={metric}
              class={metric === props.metric ? 'figure active' : 'figure'}
              aria-pressed={metric === props.metric}
              data-testid={`figure-${metric}`}
              onClick={() => props.onMetric(metric)}
            >
              <span class="figure-name">{METRIC_LABELS[metric]}</span>
              <span class="figure-value" data-testid={`figure-${metric}-value`}>
                {figure ? formatCount(figure.value) : '…'}
              </span>
              <span class={`figure-change ${tone}`} data-testid={`figure-${metric}-change`}>
                {figure ? `${formatChange(figure.change)} vs ${against} (${formatCount(figure.previous)})` : ' '}
              </span>
            </button>
          );
        })}
      </div>
    </section>
  );
}
