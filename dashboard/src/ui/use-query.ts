// Runs an API call whenever its inputs change, cancelling the previous one.
// Keeps the last data while reloading so live refreshes do not flicker.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
}

const sameInputs = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((value, i) => Object.is(value, b[i]));

export function useQuery<T>(run: (signal: AbortSignal) => Promise<T>, inputs: unknown[]): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ data: undefined, error: undefined, loading: true });
  const asked = useRef<unknown[] | undefined>(undefined);
  // Asked right after rendering, before the browser paints, so requests leave as early as the page can send them.
  useLayoutEffect(() => {
    asked.current = inputs;
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
  // From a change of inputs to the effect that asks again, the answer is the old inputs': loading, so nothing reads
  // as settled in between.
  return asked.current && sameInputs(asked.current, inputs) ? state : { ...state, loading: true };
}
