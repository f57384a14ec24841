// The gzip (-9) size budget of each built file users load: enforced by
// test/unit/size.test.ts, printed beside the sizes by bench/bundle-size.bench.ts.
// For scale: Segment budgets 29.8 KB, PostHog ships 31-56 KB.
export const KiB = 1024;

export const BUDGETS: ReadonlyArray<{ file: string; what: string; budget: number }> = [
  { file: 'snippet.min.js', what: 'inline snippet', budget: 1 * KiB },
  { file: 'eventline.iife.js', what: 'main thread, script tag (autocapture included)', budget: 5 * KiB },
  { file: 'index.js', what: 'main thread, ESM (autocapture included)', budget: 5 * KiB },
  { file: 'eventline.connect.js', what: 'main thread, loaded at init (Comlink, worker start-up)', budget: 3 * KiB },
  { file: 'eventline.worker.js', what: 'worker', budget: 10 * KiB },
];
