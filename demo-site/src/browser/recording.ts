// The Recording page's own behaviour: a tiny SPA router, the newsletter form,
// the live panel fed by the SDK's delivery reports, and a requestAnimationFrame
// animation that shows whether the main thread is free. It talks to the SDK
// only through its public surface: `window.eventline` and the reports.
import { createPanelModel, type LogLine, type Monitor } from './monitor.ts';

interface EventlineGlobal {
  track(name: string, properties?: Record<string, unknown>): void;
  flush(): Promise<{ delivered: number; pending: number }> | undefined;
}

declare global {
  interface Window {
    eventline?: EventlineGlobal;
    eventlineMonitor?: Monitor;
  }
}

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

function showRoute(path: string): void {
  const route = document.querySelector(`[data-view="${CSS.escape(path)}"]`) ? path : '/';
  for (const view of document.querySelectorAll<HTMLElement>('[data-view]'))
    view.hidden = view.dataset['view'] !== route;
  for (const tab of document.querySelectorAll<HTMLAnchorElement>('[data-route]'))
    tab.classList.toggle('current', tab.dataset['route'] === route);
  const title = { '/': 'Recording', '/products': 'Products', '/about': 'About' }[route] ?? 'Recording';
  document.title = `${title} · Eventline demo shop`;
}

function startRouter(): void {
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest<HTMLAnchorElement>('a[data-spa]') : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    const url = new URL(link.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    if (url.pathname === location.pathname) return;
    history.pushState(null, '', url.pathname);
    showRoute(url.pathname);
  });
  addEventListener('popstate', () => showRoute(location.pathname));
  showRoute(location.pathname);
}

function startNewsletter(): void {
  const form = $<HTMLFormElement>('#newsletter');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const plan = new FormData(form).get('plan');
    window.eventline?.track('Newsletter Signup', { plan: String(plan) });
    form.reset();
    $('#newsletter-thanks').hidden = false;
  });
}

function startPanel(): void {
  const model = createPanelModel();
  const render = () => {
    for (const [name, value] of Object.entries(model.counters)) $(`#count-${name}`).textContent = String(value);
  };
  const log = $<HTMLOListElement>('#event-log');
  const addLine = ({ label, detail, kind }: LogLine) => {
    const item = document.createElement('li');
    item.className = kind;
    const strong = document.createElement('strong');
    strong.textContent = label;
    item.append(strong, ` ${detail}`);
    log.prepend(item);
    while (log.children.length > 12) log.lastElementChild?.remove();
  };
  // Renders at most once a frame, however many reports a burst brings.
  let frame = 0;
  window.eventlineMonitor?.subscribe((record) => {
    const line = model.apply(record);
    if (line) addLine(line);
    frame ||= requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  });

  $('#flush-now').addEventListener('click', async () => {
    const result = $('#flush-result');
    const pending = window.eventline?.flush();
    if (!pending) return void (result.textContent = 'The SDK has not loaded yet.');
    result.textContent = 'Flushing…';
    try {
      const { delivered, pending: left } = await pending;
      result.textContent = `Ingest acknowledged ${delivered} event(s); ${left} still queued.`;
    } catch (error) {
      result.textContent = `Flush failed: ${(error as Error).message}`;
    }
  });
}

/** A ball moved by requestAnimationFrame, and the longest frame of the last second. */
function startAnimation(): void {
  const canvas = $<HTMLCanvasElement>('#runner');
  const context = canvas.getContext('2d')!;
  const readout = $('#longest-frame');
  let previous = performance.now();
  let windowStart = previous;
  let longest = 0;
  const frame = (now: number) => {
    longest = Math.max(longest, now - previous);
    previous = now;
    if (now - windowStart >= 1000) {
      readout.textContent = `${Math.round(longest)} ms`;
      readout.className = longest > 50 ? 'janky' : 'smooth';
      longest = 0;
      windowStart = now;
    }
    const { width, height } = canvas;
    const x = 14 + ((Math.sin(now / 600) + 1) / 2) * (width - 28);
    context.clearRect(0, 0, width, height);
    context.fillStyle = '#d1fae5';
    context.fillRect(0, height / 2 - 2, width, 4);
    context.beginPath();
    context.arc(x, height / 2, 12, 0, Math.PI * 2);
    context.fillStyle = '#059669';
    context.fill();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  $('#block-main').addEventListener('click', () => {
    const until = performance.now() + 400;
    while (performance.now() < until) {
      // Busy on purpose: this is what a main-thread SDK doing its work would look like.
    }
  });
}

startRouter();
startNewsletter();
startPanel();
startAnimation();
