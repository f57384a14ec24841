import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/server/config.ts';
import { npmPage, recordingPage, snippetTag } from '../src/server/pages.ts';

const SNIPPET = '!function(t,e){var n=e.currentScript}(window,document);';

describe('demo pages', () => {
  it('install the SDK with the snippet, its write key and the ingest endpoint in data-* attributes', () => {
    const config = loadConfig({
      EVENTLINE_DEMO_INGEST_URL: 'http://127.0.0.1:9999/',
      EVENTLINE_DEMO_WRITE_KEY: 'site-key',
    });
    const html = recordingPage({ config, snippet: SNIPPET });
    expect(html).toContain(
      `<script data-src="/sdk/eventline.iife.js" data-write-key="site-key" data-endpoint="http://127.0.0.1:9999" data-debug="true">${SNIPPET}</script>`,
    );
    // The monitor must be in place before the snippet starts the SDK.
    expect(html.indexOf('/static/sdk-monitor.js')).toBeLessThan(html.indexOf('data-write-key'));
    for (const id of ['demo-button', 'demo-text', 'demo-checkbox', 'newsletter', 'npm-link'])
      expect(html).toContain(`id="${id}"`);
    for (const counter of ['captured', 'queued', 'sent', 'acknowledged', 'retries', 'dropped', 'beaconed'])
      expect(html).toContain(`id="count-${counter}"`);
  });

  it('keeps hostile configuration values as text', () => {
    const config = { ...loadConfig({}), writeKey: '"><script>alert(1)</script>' };
    expect(snippetTag({ config, snippet: SNIPPET })).toContain(
      'data-write-key="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
    );
    const npm = npmPage({ config, snippet: SNIPPET });
    expect(npm).toContain('"writeKey":"\\">\\u003cscript>alert(1)\\u003c/script>"');
    expect(npm).not.toContain('<script>alert(1)');
  });

  it('tells the visitor when the SDK is not built instead of loading nothing silently', () => {
    const html = recordingPage({ config: loadConfig({}), snippet: undefined });
    expect(html).toContain('The SDK is not built');
    expect(html).not.toContain('data-write-key');
  });
});
