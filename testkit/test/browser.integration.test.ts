import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../src/browser.ts';

describe('Chromium', () => {
  it('loads a local page and runs a Worker in real headless Chromium', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/worker.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end('onmessage = (e) => postMessage(e.data * 2);');
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<title>probe</title><script>const w = new Worker("/worker.js"); w.onmessage = (e) => { document.title = "doubled " + e.data; }; w.postMessage(21);</script>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => document.title.startsWith('doubled'));
      expect(await page.title()).toBe('doubled 42');
    } finally {
      await browser.close();
      server.close();
    }
  });
});
