import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '@eventline/infra/browser';
import { startIngestStub } from '../test/helpers/servers.ts';
const ingest = await startIngestStub();
const body = `<main><section><div class="card"><button id="buy" data-track-plan="pro">Buy <b>now</b></button></div></section><input id="email" type="email"></main>`;
const server = createServer(async (req, res) => {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin'); res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  if (req.url!.startsWith('/sdk/')) { res.setHeader('Content-Type', 'text/javascript'); return res.end(await readFile('/tmp/scratch/dbg/' + req.url!.slice(5))); }
  res.setHeader('Content-Type', 'text/html');
  res.end(`<!doctype html><title>sdk</title><script src="/sdk/eventline.iife.js" data-write-key="bench" data-endpoint="${ingest.url}"></script>${body}`);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(url);
await page.waitForFunction(() => typeof (window as any).eventline?.flush === 'function');
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
await cdp.send('Profiler.start');
await page.evaluate(async () => {
  const button = document.getElementById('buy')!;
  for (let i = 0; i < 3000; i++) {
    button.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    await null;
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 0));
  }
});
const { profile } = (await cdp.send('Profiler.stop')) as any;
const self = new Map<string, number>();
const dt = profile.timeDeltas as number[];
const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
profile.samples.forEach((id: number, i: number) => {
  const n: any = byId.get(id); const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / 1000).toFixed(1).padStart(8), 'ms', ((100 * v) / total).toFixed(1).padStart(5), '%', k);
await browser.close(); await ingest.close(); server.close();
