// Measures (does not assert) the time from navigation to an interactive activation
// page in headless Chromium, with an empty cache, on loopback.
import { test, before, after } from 'node:test';
import { launch, BASE_URL } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('time from navigation to an interactive activation page', async () => {
  const times = [];
  for (let i = 0; i < 5; i += 1) {
    const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
    const page = await context.newPage();
    const started = Date.now();
    await page.goto(`${BASE_URL}/activate`, { waitUntil: 'commit' });
    await page.locator('#code:not([disabled])').waitFor();
    // Interactive: typing into the field is formatted by the app.
    await page.locator('#code').fill('abcd');
    await page.waitForFunction(() => document.querySelector('#code').value === 'ABCD');
    times.push(Date.now() - started);
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`navigation to an interactive /activate, empty cache, 5 runs: median ${times[2]} ms (min ${times[0]}, max ${times[4]})`);
});

// Issue 16: a phone on a slow link (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip,
// the CPU 4 times slower), empty cache: when the page first paints (the page
// `index.html` draws before the app runs) and when the app has drawn its heading.
for (const [path, heading] of [['/', 'Ochrona DJI Care Refresh'], ['/activate', 'Aktywacja planu']]) {
  test(`render time of ${path} on a slow phone`, async () => {
    const runs = [];
    for (let i = 0; i < 3; i += 1) {
      const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'pl-PL', serviceWorkers: 'block' });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await page.goto(`${BASE_URL}${path}`, { waitUntil: 'commit' });
      await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 60000 });
      runs.push(await page.evaluate(() => ({
        paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        app: performance.now(),
      })));
      await context.close();
    }
    const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[1];
    console.log(`${path} at 1.6 Mbit/s, 150 ms RTT, 4x slower CPU, 3 runs: first paint ${median('paint').toFixed(0)} ms, app drawn ${median('app').toFixed(0)} ms (median)`);
  });
}
