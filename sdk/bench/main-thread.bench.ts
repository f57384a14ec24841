// Main-thread time per captured event in Chromium, for the built SDK against
// a baseline page whose only listener is a no-op, in the same run. Events are
// spread out as a user's are: each is dispatched in a task of its own, GAP_MS
// after the last, so the worker keeps up and whatever the event hands on runs
// before the next one. An event's cost is its handler (timed in the page from
// dispatch until the microtasks it queued have run, on a cross-origin-isolated
// page so performance.now() steps by 5 µs) plus every main-thread task that
// runs before the next event (the hand-over to the worker, the worker's
// messages and reports, timers, garbage collection), read from a Chromium
// trace of top-level tasks: work an SDK defers is still the page's work.
// The same trace gives the thread CPU of those tasks, which leaves out the
// time the main thread waited for a core: on a loaded machine that wait, not
// the SDK's work, makes most of the wall-time tail.
// Run: npm run bench -w sdk
import { availableParallelism, loadavg } from 'node:os';
import { launchChromium } from '@eventline/testkit/browser';
import { printResult, type Figure } from '@eventline/testkit/bench-report';
import { ensureBuilt } from '../test/helpers/build.ts';
import { startIngestStub, startSite } from '../test/helpers/servers.ts';

const EVENTS = Number(process.env['EVENTLINE_BENCH_EVENTS'] ?? 3_000);
/** Time between two events, ms: far apart enough for the worker to keep up, close enough for a short run. */
const GAP_MS = Number(process.env['EVENTLINE_BENCH_GAP_MS'] ?? 4);
const WARMUP = 300;
/** The user-timing mark put just before each dispatch, which places the event in the trace. */
const MARK = 'eventline-bench';

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
type Stats = { median: number; p99: number; mean: number };
const WHAT = { handler: 'handler', total: 'handler + deferred', cpu: 'thread CPU' } as const;
type What = keyof typeof WHAT;
interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread time: what the thread ran, without the time it waited for a core. */
  tdur?: number;
  tid: number;
  args?: { src_file?: string };
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/**
 * Per event, from the trace: `deferred`, the wall time of the page's top-level tasks between its mark and the
 * next one, except the task that dispatches the next event (the benchmark's own timer, whose share is the next
 * event's handler) and the rendering of frames (cc/ tasks: the benchmark edits a field; neither page changes
 * what is drawn); `cpu`, the thread time of those tasks and of the task that dispatched it (the benchmark's loop
 * included, as on the baseline page).
 */
function fromTrace(events: TraceEvent[]): { deferred: number[]; cpu: number[] } {
  const marks = events.filter((e) => e.name === MARK && e.ph !== 'e').sort((a, b) => a.ts - b.ts);
  const main = marks[0]!.tid;
  const tasks = events
    .filter(
      (e) =>
        e.tid === main &&
        e.ph === 'X' &&
        e.name === 'ThreadControllerImpl::RunTask' &&
        !e.args?.src_file?.startsWith('cc/'),
    )
    .sort((a, b) => a.ts - b.ts);
  const contains = (task: TraceEvent, ts: number | undefined): boolean =>
    ts !== undefined && task.ts <= ts && ts <= task.ts + task.dur!;
  const deferred = marks.map(() => 0);
  const cpu = marks.map(() => 0);
  let i = 0;
  for (const task of tasks) {
    while (i + 1 < marks.length && marks[i + 1]!.ts <= task.ts) i++;
    if (contains(task, marks[i + 1]?.ts)) cpu[i + 1]! += task.tdur ?? NaN;
    else if (contains(task, marks[i]!.ts)) cpu[i]! += task.tdur ?? NaN;
    else if (task.ts > marks[i]!.ts) {
      deferred[i]! += task.dur!;
      cpu[i]! += task.tdur ?? NaN;
    }
  }
  return { deferred, cpu };
}

const browser = await launchChromium();
const load = [loadavg()[0]!];
try {
  const results: Record<string, Record<Kind, Record<What, Stats>>> = {};
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
    const measured = {} as Record<Kind, Record<What, Stats>>;
    for (const kind of ['click', 'blur'] as const) {
      await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
      const handler = await page.evaluate(
        async ({ kind, total, gap, mark }) => {
          const button = document.getElementById('buy')!;
          const input = document.getElementById('email') as HTMLInputElement;
          const times: number[] = [];
          for (let i = 0; i < total; i++) {
            if (kind === 'blur') {
              input.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
              input.value = `x${i}`;
            }
            performance.mark(mark);
            const t0 = performance.now();
            if (kind === 'click') button.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
            else input.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
            await null;
            times.push((performance.now() - t0) * 1000);
            await new Promise((resolve) => setTimeout(resolve, gap));
          }
          // Closes the last event's window.
          performance.mark(mark);
          performance.clearMarks(mark);
          return times;
        },
        { kind, total: EVENTS + WARMUP, gap: GAP_MS, mark: MARK },
      );
      const trace = JSON.parse(String(await browser.stopTracing())) as { traceEvents: TraceEvent[] };
      const { deferred, cpu } = fromTrace(trace.traceEvents);
      if (deferred.length !== handler.length + 1)
        throw new Error(`found ${deferred.length - 1} of ${handler.length} events in the trace`);
      measured[kind] = {
        handler: stats(handler.slice(WARMUP)),
        total: stats(handler.map((t, i) => t + deferred[i]!).slice(WARMUP)),
        cpu: stats(cpu.slice(WARMUP, -1)),
      };
    }
    results[name] = measured;
    console.log(`${name}: crossOriginIsolated=${isolated}, performance.now() step ${resolution.toFixed(1)} µs`);
    if (name === 'sdk') {
      await page.evaluate(() => (window as unknown as { eventline: { flush(): Promise<unknown> } }).eventline.flush());
    }
    await page.close();
  }
  load.push(loadavg()[0]!);
  const µs = (n: number): string => `${n.toFixed(1)} µs`;
  console.log(
    `\nMain-thread time per event, ${EVENTS} events each, one every ${GAP_MS} ms (Chromium ${browser.version()}, ` +
      `load average ${load.map((l) => l.toFixed(1)).join(' → ')} on ${availableParallelism()} cores):`,
  );
  console.log('kind   page      what                 median     p99        mean');
  for (const kind of ['click', 'blur'] as const) {
    for (const name of ['baseline', 'sdk'])
      for (const what of ['handler', 'total', 'cpu'] as const) {
        const s = results[name]![kind][what];
        console.log(
          `${kind.padEnd(6)} ${name.padEnd(9)} ${WHAT[what].padEnd(20)} ${µs(s.median).padEnd(10)} ${µs(s.p99).padEnd(10)} ${µs(s.mean)}`,
        );
      }
    const extra = (what: What): string => µs(results['sdk']![kind][what].mean - results['baseline']![kind][what].mean);
    console.log(
      `${kind.padEnd(6)} SDK cost  ${extra('total')} per event on top of a no-op listener (mean, deferred work included), ` +
        `${extra('cpu')} of thread CPU`,
    );
  }
  const figures: Figure[] = (['click', 'blur'] as const).flatMap((kind) =>
    (['total', 'cpu'] as const).flatMap((what) =>
      (['median', 'p99', 'mean'] as const).map((stat) => ({
        metric: `${kind} ${what === 'cpu' ? 'CPU ' : ''}${stat}`,
        unit: 'µs',
        value: results['sdk']![kind][what][stat],
        baseline: results['baseline']![kind][what][stat],
        baselineLabel: 'no-op listener',
        ...(what === 'total' && { resolution }),
      })),
    ),
  );
  printResult({
    name: 'sdk-main-thread',
    description: `main-thread time per captured event (handler and the work it defers), ${EVENTS} events per kind, Chromium`,
    figures,
  });
  console.log(`\nevents delivered to the ingest stub: ${ingest.stored.size}`);
} finally {
  await browser.close();
  await ingest.close();
  await site.close();
}
