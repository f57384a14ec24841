// Runs an API call whenever its inputs change, cancelling the previous one.
// Keeps the last data while reloading so live refreshes do not flicker.
import { useEffect, useState } from 'preact/hooks';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
}

export function useQuery<T>(run: (signal: AbortSignal) => Promise<T>, inputs: unknown[]): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ data: undefined, error: undefined, loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    run(controller.signal).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (error: Error) => {
        if (error.name !== 'AbortError') setState((previous) => ({ data: previous.data, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, inputs);
  return state;
}
