// Loading, empty and error states shared by every panel.
import type { QueryState } from '../use-query.ts';

export function Status(props: { state: QueryState<unknown>; empty: boolean; emptyText: string; onRetry?: () => void }) {
  const { state } = props;
  if (state.error) {
    return (
      <p class="state error" role="alert">
        {state.error.message}
        {props.onRetry && (
          <button type="button" onClick={props.onRetry}>
            Retry
          </button>
        )}
      </p>
    );
  }
  if (state.loading && state.data === undefined) return <p class="state loading">Loading…</p>;
  if (props.empty) return <p class="state empty">{props.emptyText}</p>;
  return null;
}
