// One dimension's top values ranked by the chosen metric. Each row is a button
// that adds its value as a filter chip; an element row also opens its details.
import type { Metric } from '@eventline/contract/read-api';
import type { BreakdownResponse } from '../api.ts';
import { DIMENSION_LABELS, METRIC_LABELS, type Dimension } from '../analyze-state.ts';
import { formatCount } from '../format.ts';
import type { QueryState } from '../use-query.ts';
import { Status } from './status.tsx';

const OTHER = '(other)';

export function BreakdownPanel(props: {
  dimension: Dimension;
  metric: Metric;
  state: QueryState<BreakdownResponse>;
  /** Absent when chips cannot be added (a shared view). */
  onFilter: ((chip: string) => void) | undefined;
  onElement?: (label: string) => void;
  /** A label's selectors, once looked up (shown on hover). */
  describe?: (value: string) => string | undefined;
  onHover?: (value: string) => void;
}) {
  const rows = props.state.data?.rows ?? [];
  const metric = props.state.data?.metric ?? props.metric;
  const max = Math.max(1, ...rows.map((row) => row[metric]));
  const title = DIMENSION_LABELS[props.dimension];
  return (
    <section class="panel top breakdown" data-testid={`breakdown-${props.dimension}`} aria-busy={props.state.loading}>
      <h2>
        {title} <span class="hint">by {METRIC_LABELS[metric].toLowerCase()}</span>
      </h2>
      <Status state={props.state} empty={rows.length === 0} emptyText="Nothing in this period" />
      {rows.length > 0 && (
        <ol>
          {rows.map((row) => {
            const clickable = row.value !== OTHER && props.onFilter;
            const hover = props.describe?.(row.value);
            const content = (
              <>
                <span class="bar" style={{ width: `${(row[metric] / max) * 100}%` }} />
                <span class="key">{row.value}</span>
                <span class="count">{formatCount(row[metric])}</span>
              </>
            );
            return (
              <li key={row.value} data-value={row.value}>
                {clickable ? (
                  <button
                    type="button"
                    class="row-button"
                    title={hover ? `${row.value} · ${hover}` : `Filter by ${row.value}`}
                    onClick={() => props.onFilter!(`${props.dimension}:${row.value}`)}
                    onMouseEnter={() => props.onHover?.(row.value)}
                    onFocus={() => props.onHover?.(row.value)}
                  >
                    <span class="visually-hidden">Filter by {title}: </span>
                    {content}
                  </button>
                ) : (
                  <div class="row-static">{content}</div>
                )}
                {props.onElement && row.value !== OTHER && row.value !== '(none)' && (
                  <button
                    type="button"
                    class="link-button details"
                    aria-label={`Details of ${row.value}`}
                    onClick={() => props.onElement!(row.value)}
                  >
                    Details
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
