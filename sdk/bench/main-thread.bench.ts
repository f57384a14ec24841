// Main-thread time per captured event in Chromium, for the built SDK against
// a baseline page whose only listener is a no-op. Each event is timed from
// dispatch until the microtasks it queued have run (the SDK hands events to
// the worker in a microtask), on a cross-origin-isolated page so
// performance.now() has its finest resolution (5 µs in Chromium).
// Run: npm run bench -w sdk
import { launchChromium } from '@eventline/testkit/browser';
import { printResult, type Figure } from '@eventline/testkit/bench-report';
import { ensureBuilt } from '../test/helpers/build.ts';
import { startIngestStub, startSite } from '../test/helpers/servers.ts';

const EVENTS = Number(process.env['EVENTLINE_BENCH_EVENTS'] ?? 3_000);
const WARMUP = 300;

await ensureBuilt();
const ingest = await startIngestStub();
const site = await startSite({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});
const body = `<main><section><div class="card"><button id="buy" data-track-plan="pro">Buy <b>now</b></button></div></section><input id="email" type="email"></main>`;
site.page('/baseline', {
  html: `<!doctype html><title>baseline</title><script>for (const t of ['click', 'focusout']) document.addEventListener(t, () => {}, true);</script>${body}`,
});
site.page('/sdk', {
  html: `<!doctype html><title>sdk</title><script src="/sdk/eventline.iife.js" data-write-key="bench" data-endpoint="${ingest.url}"></script>${body}`,
});

type Kind = 'click' | 'blur';

function stats(samples: number[]): { median: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

const browser = await launchChromium();
try {
  const results: Record<string, Record<Kind, ReturnType<typeof stats>>> = {};
  let resolution = NaN;
  for (const name of ['baseline', 'sdk']) {
    const page = await browser.newPage();
    await page.goto(`${site.url}/${name}`);
    if (name === 'sdk')
      await page.waitForFunction(
        () => typeof (window as unknown as { eventline?: { flush?: unknown } }).eventline?.flush === 'function',
      );
    const isolated = await page.evaluate(() => crossOriginIsolated);
    // The clock's step (Chromium coarsens performance.now): the smallest non-zero difference of successive readings.
    resolution = await page.evaluate(() => {
      let step = Infinity;
      for (let i = 0, last = performance.now(); i < 100_000; i++) {
        const now = performance.now();
        if (now > last) step = Math.min(step, now - last);
        last = now;
      }
      return step * 1000;
    });
    const measured = {} as Record<Kind, ReturnType<typeof stats>>;
    for (const kind of ['click', 'blur'] as const) {
      const samples = await page.evaluate(
        async ({ kind, total, warmup }) => {
          const button = document.getElementById('buy')!;
          const input = document.getElementById('email') as HTMLInputElement;
          const times: number[] = [];
          for (let i = 0; i < total + warmup; i++) {
            if (kind === 'blur') {
              input.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
              input.value = `x${i}`;
            }
            const t0 = performance.now();
            if (kind === 'click') button.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
            else input.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
            await null;
            const t1 = performance.now();
            if (i >= warmup) times.push((t1 - t0) * 1000);
            // Real interactions are spread out; let the worker and GC keep up.
            if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 0));
          }
          return times;
        },
        { kind, total: EVENTS, warmup: WARMUP },
      );
      measured[kind] = stats(samples);
    }
    results[name] = measured;
    console.log(`${name}: crossOriginIsolated=${isolated}, performance.now() step ${resolution.toFixed(1)} µs`);
    if (name === 'sdk') {
      await page.evaluate(() => (window as unknown as { eventline: { flush(): Promise<unknown> } }).eventline.flush());
    }
    await page.close();
  }
  const µs = (n: number): string => `${n.toFixed(1)} µs`;
  console.log(`\nMain-thread time per event, ${EVENTS} events each (Chromium ${browser.version()}):`);
  console.log('kind   page      median     p99        mean');
  for (const kind of ['click', 'blur'] as const) {
    for (const name of ['baseline', 'sdk']) {
      const s = results[name]![kind];
      console.log(
        `${kind.padEnd(6)} ${name.padEnd(9)} ${µs(s.median).padEnd(10)} ${µs(s.p99).padEnd(10)} ${µs(s.mean)}`,
      );
    }
    const extra = results['sdk']![kind].mean - results['baseline']![kind].mean;
    console.log(`${kind.padEnd(6)} SDK cost  ${µs(extra)} per event on top of a no-op listener (mean)`);
  }
  const figures: Figure[] = (['click', 'blur'] as const).flatMap((kind) =>
    (['median', 'p99'] as const).map((stat) => ({
      metric: `${kind} ${stat}`,
      unit: 'µs',
      value: results['sdk']![kind][stat],
      baseline: results['baseline']![kind][stat],
      baselineLabel: 'no-op listener',
      resolution,
    })),
  );
  printResult({
    name: 'sdk-main-thread',
    description: `main-thread time per captured event, ${EVENTS} events per kind, Chromium`,
    figures,
  });
  // The flood (thousands of events a second) overruns maxQueue (1000) by design; the newest survive.
  console.log(`\nevents delivered to the ingest stub: ${ingest.stored.size}`);
} finally {
  await browser.close();
  await ingest.close();
  await site.close();
}
