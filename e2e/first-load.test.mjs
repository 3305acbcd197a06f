// The bytes a first visit downloads, per route, as the browser counts them on the wire
// (CDP `encodedDataLength`: compressed bodies and headers), the offline worker's own
// fetches included, through the real server; each route fails above its budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launch, BASE_URL } from './browser.mjs';

// Issue 16: `/` at most 150 KB, any other owner page at most 200 KB, each with every
// feature kept (README "Size" says what took the bytes off).
const KB = 1000;
const OWNER_PAGE = 200 * KB;
const ROUTES = [
  { path: '/', heading: 'Ochrona DJI Care Refresh', budget: 150 * KB },
  { path: '/terms', heading: 'Regulamin DJI Care Refresh', budget: 150 * KB },
  { path: '/coverage', heading: 'Sprawdź ochronę', budget: OWNER_PAGE },
  { path: '/coverage/SN0000000001', heading: 'Sprawdź ochronę', budget: OWNER_PAGE },
  { path: '/activate', heading: 'Aktywacja planu', budget: OWNER_PAGE },
  { path: '/verification', heading: 'Film weryfikacyjny', budget: OWNER_PAGE },
  { path: '/claims/new', heading: 'Zgłoszenie naprawy', budget: OWNER_PAGE },
  { path: '/me', heading: 'Twoje urządzenia i zgłoszenia', budget: OWNER_PAGE },
];

/**
 * What the server sends for `path` to a browser that takes brotli: status line,
 * headers and body. Chromium reports the offline worker's script at 0 bytes, at its
 * headers or at its body from one run to the next (its body goes to the worker, not to
 * the page), so the count takes the script at what it really weighs.
 */
function sent(path) {
  return new Promise((resolve, reject) => {
    http.get(`${BASE_URL}${path}`, { headers: { 'accept-encoding': 'br' } }, (res) => {
      let body = 0;
      res.on('data', (chunk) => { body += chunk.length; });
      res.on('end', () => {
        const head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length
          + res.rawHeaders.reduce((sum, part) => sum + part.length + 2, 0) + 2;
        resolve(head + body);
      });
    }).on('error', reject);
  });
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Everything a first visit of `path` downloads, until the offline worker is ready. */
async function firstVisit(path, heading) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'pl-PL', serviceWorkers: 'allow' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const files = new Map();
  cdp.on('Network.responseReceived', (e) => files.set(e.requestId, { url: e.response.url, bytes: 0 }));
  cdp.on('Network.loadingFinished', (e) => {
    const file = files.get(e.requestId);
    if (file) file.bytes = e.encodedDataLength;
  });
  // The worker's fetches are not the page's: Playwright reports them, with the sizes
  // Chromium's DevTools protocol gives it.
  const fromWorker = [];
  context.on('requestfinished', async (request) => {
    if (!request.serviceWorker()) return;
    const sizes = await request.sizes().catch(() => null);
    fromWorker.push({ url: request.url(), bytes: Math.max(0, (sizes?.responseBodySize ?? 0) + (sizes?.responseHeadersSize ?? 0)) });
  });
  await page.goto(`${BASE_URL}${path}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForLoadState('networkidle');
  await context.close();
  const isWorker = (f) => new URL(f.url).pathname === '/sw.js';
  const reported = [...files.values(), ...fromWorker];
  const worker = reported.filter(isWorker).reduce((sum, f) => sum + f.bytes, 0);
  const all = [
    ...reported.filter((f) => !isWorker(f)),
    { url: `${BASE_URL}/sw.js`, bytes: Math.max(worker, await sent('/sw.js')) },
  ];
  return { total: all.reduce((sum, f) => sum + f.bytes, 0), all };
}

for (const { path, heading, budget } of ROUTES) {
  test(`a first visit of ${path} downloads at most ${budget / KB} KB`, async () => {
    const { total, all } = await firstVisit(path, heading);
    const list = all.map((f) => `${f.bytes} ${new URL(f.url).pathname}`).join('\n');
    const margin = total <= budget ? `${budget - total} bytes under` : `${total - budget} bytes over`;
    console.log(`first visit of ${path}: ${total} bytes on the wire (${margin} its limit)\n${list}`);
    assert.ok(total <= budget, `${path}: ${total} bytes, over ${budget}\n${list}`);
    assert.ok(all.some((f) => f.url.endsWith('_bg.wasm') && f.bytes > 10_000), 'the Wasm was counted');
  });
}
