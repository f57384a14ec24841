// Engagement of a page view at no cost to interactions: passive listeners that
// only note a time or a scroll offset (nothing that forces layout); the page
// height is read once, when the page is left. Time counts as engaged while the
// page is visible and the user was active within the last IDLE_MS.
//
// A `pageleave` is reported when the page is hidden (the last moment a page
// is sure to run: mobile browsers kill hidden tabs without `pagehide`), at
// `pagehide` if it was not hidden first, and on SPA navigations. A page shown
// again starts a new stretch: engaged times add up over a page view's
// `pageleave` events; scroll depth is the page view's maximum so far.
import type { Engagement } from '@eventline/contract';

/** Input more than this long ago no longer counts as active: 15 s */
const IDLE_MS = 15_000;

const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'scroll', 'wheel', 'touchstart'];

/** Called with the stretch's engagement and the URL of the page left. */
export type OnLeave = (engagement: Engagement, url: string) => void;

/** Watches until `signal` aborts; `leave(url)` ends the page view at `url` (an SPA navigation away from it). */
export function trackEngagement(onLeave: OnLeave, signal: AbortSignal): { leave(url: string): void } {
  const now = (): number => performance.now();
  let engaged = 0;
  let lastActive = now();
  let visible = document.visibilityState === 'visible';
  /** Whether the page was visible in this stretch: a page never shown has nothing to report. */
  let seen = visible;
  let deepest = scrollY;
  /** Adds the engaged time up to now, counted from the last input. */
  const close = (): void => {
    if (visible) engaged += Math.min(now() - lastActive, IDLE_MS);
    lastActive = now();
  };
  const report = (url = location.href): void => {
    close();
    if (!seen) return;
    const height = document.documentElement.scrollHeight;
    const depth = height ? Math.round((100 * (Math.max(deepest, scrollY) + innerHeight)) / height) : 100;
    onLeave({ engagedMs: Math.round(engaged), scrollDepth: Math.min(100, depth) }, url);
    engaged = 0;
    seen = visible;
  };
  const newView = (): void => {
    deepest = scrollY;
    engaged = 0;
    seen = visible;
  };
  const options = { capture: true, passive: true, signal };
  for (const type of ACTIVITY) addEventListener(type, close, options);
  addEventListener('scroll', () => void (deepest = Math.max(deepest, scrollY)), options);
  document.addEventListener(
    'visibilitychange',
    () => {
      close();
      visible = document.visibilityState === 'visible';
      if (visible) seen = true;
      else report();
    },
    options,
  );
  addEventListener(
    'pagehide',
    () => {
      report();
      // Nothing more to report until the page is shown again (from the back/forward cache).
      seen = false;
    },
    options,
  );
  addEventListener('pageshow', (e) => void (e.persisted && newView()), options);
  return {
    leave(url) {
      report(url);
      newView();
    },
  };
}
