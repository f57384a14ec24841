// The demo's HTML. The Recording page installs the SDK exactly as a
// third-party site would: the inline snippet with the write key and ingest
// endpoint in data-* attributes, loading /sdk/eventline.iife.js asynchronously.
import type { DemoConfig } from './config.ts';
import { escapeHtml, inlineScript, scriptJson } from './html.ts';

export interface PageContext {
  config: Readonly<DemoConfig>;
  /** Text of snippet.min.js, or undefined when the SDK is not built. */
  snippet: string | undefined;
}

function layout(title: string, head: string, body: string, context: PageContext, active: 'recording' | 'npm'): string {
  const missing =
    context.snippet === undefined
      ? '<p class="banner" role="alert">The SDK is not built, so nothing is recorded: run <code>npm run build -w sdk</code> and reload.</p>'
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Eventline demo shop</title>
<link rel="stylesheet" href="/static/demo.css">
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='6' fill='%23059669'/%3E%3C/svg%3E">
${head}
</head>
<body>
<header class="site-header">
  <a class="brand" href="/" data-spa>Acme Outdoor <span>· Eventline demo</span></a>
  <nav aria-label="Site">
    <a href="/" data-spa class="${active === 'recording' ? 'current' : ''}">Recording</a>
    <a href="/npm" class="${active === 'npm' ? 'current' : ''}">npm usage</a>
    <a href="${escapeHtml(context.config.dashboardUrl)}/?from=-15m&amp;live=1" target="_blank" rel="noopener">Analyze ↗</a>
  </nav>
</header>
${missing}
${body}
</body>
</html>
`;
}

/** The snippet a site owner pastes into <head>, with this demo's values. */
export function snippetTag(context: PageContext): string {
  if (context.snippet === undefined) return '';
  const { writeKey, ingestUrl } = context.config;
  return `<script data-src="/sdk/eventline.iife.js" data-write-key="${escapeHtml(writeKey)}" data-endpoint="${escapeHtml(ingestUrl)}" data-debug="true">${inlineScript(context.snippet.trim())}</script>`;
}

export function recordingPage(context: PageContext): string {
  const head = `<!-- Buffers the SDK's delivery reports for the live panel from the start; must run before the snippet. -->
<script src="/static/sdk-monitor.js"></script>
<!-- Eventline snippet -->
${snippetTag(context)}
<script type="module" src="/assets/recording.js"></script>`;
  const body = `<main class="layout">
<section class="shop" aria-label="Demo shop">
  <nav class="tabs" aria-label="Shop sections">
    <a href="/" data-spa data-route="/">Home</a>
    <a href="/products" data-spa data-route="/products">Products</a>
    <a href="/about" data-spa data-route="/about">About</a>
  </nav>

  <div data-view="/">
    <h1>Recording</h1>
    <p class="lead">Everything you do here is captured by the Eventline SDK, batched in a Web Worker and sent to the ingest service. Open <a href="${escapeHtml(context.config.dashboardUrl)}/?from=-15m&amp;live=1" target="_blank" rel="noopener">Analyze</a> (live, last 15 minutes) to see it arrive.</p>
    <div class="card controls">
      <h2>The three classics</h2>
      <div class="control">
        <span class="label">Button Click</span>
        <button id="demo-button" type="button">Click me</button>
      </div>
      <div class="control">
        <label class="label" for="demo-text">Text Input</label>
        <input id="demo-text" name="demo-text" type="text" placeholder="Type, then click elsewhere" autocomplete="off">
        <span class="hint">recorded on blur: length and “changed”, never the text</span>
      </div>
      <div class="control">
        <span class="label">Checkbox Toggle</span>
        <label class="toggle"><input id="demo-checkbox" name="demo-checkbox" type="checkbox"> Send me offers</label>
      </div>
    </div>
    <div class="card">
      <h2>Newsletter</h2>
      <form id="newsletter" class="newsletter">
        <input id="newsletter-email" name="email" type="email" placeholder="you@example.com" required autocomplete="email">
        <select id="newsletter-plan" name="plan" aria-label="Frequency">
          <option value="weekly">Weekly</option>
          <option value="monthly">Monthly</option>
        </select>
        <button id="newsletter-submit" type="submit">Subscribe</button>
      </form>
      <p id="newsletter-thanks" class="thanks" hidden>Thanks! A custom <code>Newsletter Signup</code> event was tracked.</p>
    </div>
    <p>Leaving the page is safe too: <a id="npm-link" href="/npm">read how to install the SDK from npm →</a></p>
  </div>

  <div data-view="/products" hidden>
    <h1>Products</h1>
    <p class="lead">A route change without a page load: the SDK records it as a page view.</p>
    <div class="products">
      <article class="card product"><h3>Trail backpack</h3><p>28 L, 900 g</p><button type="button" data-track="add-to-cart" data-track-product="backpack">Add to cart</button></article>
      <article class="card product"><h3>Rain shell</h3><p>Waterproof, 2.5 layers</p><button type="button" data-track="add-to-cart" data-track-product="shell">Add to cart</button></article>
      <article class="card product"><h3>Camp stove</h3><p>Boils 1 L in 3 min</p><button type="button" data-track="add-to-cart" data-track-product="stove">Add to cart</button></article>
    </div>
  </div>

  <div data-view="/about" hidden>
    <h1>About</h1>
    <p class="lead">Acme Outdoor is a pretend shop. Its only job is to show what a site sends to Eventline, and how little the visitor notices.</p>
  </div>
</section>

<aside class="side">
  <section class="card panel" aria-labelledby="panel-title">
    <h2 id="panel-title">What the SDK is doing</h2>
    <dl class="counters">
      <div><dt>Captured</dt><dd id="count-captured">0</dd></div>
      <div title="In the worker's queue now, waiting to be sent (or sent again)"><dt>Queued</dt><dd id="count-queued">0</dd></div>
      <div><dt>Sent</dt><dd id="count-sent">0</dd></div>
      <div><dt>Acknowledged</dt><dd id="count-acknowledged">0</dd></div>
      <div><dt>Retries</dt><dd id="count-retries">0</dd></div>
      <div><dt>Dropped</dt><dd id="count-dropped">0</dd></div>
      <div><dt>Beaconed</dt><dd id="count-beaconed">0</dd></div>
    </dl>
    <button id="flush-now" type="button" data-track-ignore>Flush now</button>
    <p id="flush-result" class="hint" aria-live="polite"></p>
    <ol id="event-log" class="log" aria-label="Recent SDK activity"></ol>
    <p class="hint">Fed by the SDK's public delivery reports (<code>eventline.onReport(listener)</code>, or the <code>eventline:report</code> window event), which any site can use. An event is <em>captured</em> on the main thread, then <em>queued</em> in the SDK's Web Worker (and kept in IndexedDB), which batches it (every 2 s or 20 events), <em>sends</em> it to ingest and hears it <em>acknowledged</em>; a failed request is retried with backoff. When you leave or hide the page, whatever is not on the network yet is <em>beaconed</em> from the page instead. “Queued” counts what is waiting now; the other counters add up since the page loaded.</p>
  </section>
  <section class="card" aria-labelledby="anim-title" data-track-ignore>
    <h2 id="anim-title">Main thread</h2>
    <canvas id="runner" width="320" height="56" aria-label="Animation driven by requestAnimationFrame"></canvas>
    <p class="frames">Longest frame in the last second: <strong id="longest-frame">–</strong></p>
    <button id="block-main" type="button">Block the main thread for 400 ms</button>
    <p class="hint">The ball is moved by JavaScript on every frame, so it stutters whenever the main thread is busy. Batching, compression and network run in a Web Worker: clicking around does not make it jump; the button above does.</p>
  </section>
</aside>
</main>`;
  return layout('Recording', head, body, context, 'recording');
}

export function npmPage(context: PageContext): string {
  const head = `<script type="application/json" id="eventline-config">${scriptJson({ writeKey: context.config.writeKey, endpoint: context.config.ingestUrl })}</script>
<script type="module" src="/assets/npm.js"></script>`;
  const code = `npm install @eventline/sdk

import { init, track, identify, flush, onReport } from '@eventline/sdk';

onReport((report) => console.log(report.kind, report.count)); // captured, queued, sent, delivered…
init({
  writeKey: ${JSON.stringify(context.config.writeKey)},
  endpoint: ${JSON.stringify(context.config.ingestUrl)},
  debug: true,              // logs batches, beacons, retries to the console
});

track('Plan Selected', { plan: 'pro' });
identify('user-42', { plan: 'pro' });
await flush();              // { delivered, pending }`;
  const body = `<main class="narrow">
<h1>Using the SDK from npm</h1>
<p class="lead">For apps built with a bundler. This page is one: it imports <code>@eventline/sdk</code>'s ESM build and was bundled by Vite, which also emitted the SDK's worker file next to it.</p>
<pre class="code"><code>${escapeHtml(code)}</code></pre>
<p>Clicks, text fields (on blur), toggles and page views are captured automatically; turn kinds off with <code>autocapture: { inputs: false }</code>, and mark elements with <code>data-track-ignore</code> to skip them, <code>data-track="name"</code> to name them.</p>
<section class="card">
  <h2>Try the API on this page</h2>
  <div class="buttons" data-track-ignore>
    <button type="button" id="api-track">track('Plan Selected', { plan: 'pro' })</button>
    <button type="button" id="api-identify">identify('user-42')</button>
    <button type="button" id="api-flush">flush()</button>
    <button type="button" id="api-optout">optOut()</button>
    <button type="button" id="api-optin">optIn()</button>
    <button type="button" id="api-reset">reset()</button>
  </div>
  <p class="hint">Reports so far (<code>onReport</code>): <span id="api-reports" aria-live="polite">none yet</span></p>
  <ol id="api-log" class="log" aria-label="API calls"></ol>
</section>
</main>`;
  return layout('npm usage', head, body, context, 'npm');
}
