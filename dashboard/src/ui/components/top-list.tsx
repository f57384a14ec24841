// A top-N list (elements or pages) with proportional bars.
import type { TopList as TopListData } from '../api.ts';
import type { QueryState } from '../use-query.ts';
import { Status } from './status.tsx';

export function TopList(props: { title: string; state: QueryState<TopListData>; testId: string }) {
  const top = props.state.data?.top ?? [];
  const max = Math.max(1, ...top.map((entry) => entry.count));
  return (
    <section class="panel top" data-testid={props.testId} aria-busy={props.state.loading}>
      <h2>
        {props.title}
        {props.state.data?.truncated && <span class="hint">newest matches only</span>}
      </h2>
      <Status state={props.state} empty={top.length === 0} emptyText="Nothing in this range" />
      {top.length > 0 && (
        <ol>
          {top.map((entry) => (
            <li key={entry.key}>
              <span class="bar" style={{ width: `${(entry.count / max) * 100}%` }} />
              <code class="key" title={entry.key}>
                {entry.key}
              </code>
              <span class="count">{entry.count}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
