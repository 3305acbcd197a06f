// Installable and offline: after one visit the offline worker keeps the app shell, so a
// reload without a network shows the app, the fee calculator works, a deep link opens
// its page, and what needs the server says so.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { code, shot } from './portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
afterEach(() => assert.deepEqual(pageErrors(), []));

/** A page whose offline worker has taken control after a first visit of `/`. */
async function visited() {
  const page = await phone(browser, { serviceWorkers: 'allow' });
  const wire = [];
  page.context().on('requestfinished', async (request) => {
    const sizes = await request.sizes().catch(() => null);
    wire.push({ url: request.url(), worker: Boolean(request.serviceWorker()), bytes: sizes?.responseBodySize ?? 0 });
  });
  await page.goto(`${BASE_URL}/`);
  await page.getByRole('heading', { level: 1, name: 'Ochrona DJI Care Refresh' }).waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15000 });
  return { page, wire };
}

test('the manifest makes the portal installable', async () => {
  const response = await fetch(`${BASE_URL}/manifest.webmanifest`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /manifest\+json|application\/json/);
  const manifest = await response.json();
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.display, 'standalone');
  assert.ok(manifest.icons.length > 0);
  const worker = await (await fetch(`${BASE_URL}/sw.js`)).text();
  assert.match(worker, /BUILD ?= ?["']care-[0-9a-f]{16}["']/, 'the build named the cache');
  assert.match(worker, /_bg\.wasm["']/, 'the build listed the Wasm');
});

test('the worker keeps the shell without downloading the Wasm twice', async () => {
  const { page, wire } = await visited();
  await page.evaluate(() => navigator.serviceWorker.ready);
  const wasm = wire.filter((r) => r.url.endsWith('_bg.wasm'));
  const fromWorker = wasm.filter((r) => r.worker);
  // Chromium reports the bytes on the wire less the headers: an answer from the HTTP
  // cache has none, so its size comes out at or below zero (the page's own download
  // counts the whole Wasm).
  assert.ok(wasm.some((r) => !r.worker && r.bytes > 100_000), JSON.stringify(wasm));
  assert.ok(fromWorker.length > 0 && fromWorker.every((r) => r.bytes <= 0), `the worker took the Wasm from the HTTP cache: ${JSON.stringify(fromWorker)}`);
  const kept = await page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names[0]);
    return { names, urls: (await cache.keys()).map((r) => new URL(r.url).pathname) };
  });
  assert.equal(kept.names.length, 1);
  assert.ok(kept.urls.includes('/'), JSON.stringify(kept));
  assert.ok(kept.urls.some((u) => u.endsWith('_bg.wasm')), JSON.stringify(kept));
  assert.ok(!kept.urls.some((u) => u.startsWith('/api/')), 'never the API');
  await page.context().close();
});

test('offline, a reload shows the app and the calculator works', async () => {
  const { page } = await visited();
  await page.context().setOffline(true);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Ochrona DJI Care Refresh' }).waitFor();
  await page.getByRole('combobox', { name: 'Produkt' }).selectOption('rs-3');
  await page.getByRole('cell', { name: '289,00 zł' }).first().waitFor();
  await shot(page, 'offline-home');
  // A journey never opened on this device is not kept: the page says so, once.
  await page.goto(`${BASE_URL}/coverage/SN0000000001`);
  await page.getByRole('heading', { level: 1, name: 'Ta strona nie jest jeszcze dostępna bez internetu' }).waitFor();
  await shot(page, 'offline-unavailable');
  // Opened once online, it is kept: offline, its page opens and asking the server says
  // it cannot (online, the server does not know this serial).
  page.expected.push(/Failed to load resource|ERR_INTERNET_DISCONNECTED/);
  await page.context().setOffline(false);
  await page.goto(`${BASE_URL}/coverage/SN0000000001`);
  await page.getByRole('heading', { level: 1, name: 'Sprawdź ochronę' }).waitFor();
  await page.context().setOffline(true);
  await page.reload();
  await page.getByText('Brak połączenia z serwerem. Sprawdź internet i spróbuj ponownie.').waitFor();
  await shot(page, 'offline-coverage');
  await page.context().setOffline(false);
  await page.context().close();
});

// Every journey is a bundle of its own: a first visit of any page keeps that page's
// bundle, and a reload without a network shows it.
for (const [path, heading] of [
  ['/terms', 'Regulamin DJI Care Refresh'],
  ['/coverage', 'Sprawdź ochronę'],
  ['/activate', 'Aktywacja planu'],
  ['/verification', 'Film weryfikacyjny'],
  ['/claims/new', 'Zgłoszenie naprawy'],
  ['/me', 'Twoje urządzenia i zgłoszenia'],
]) {
  test(`offline, a reload of ${path} shows its page`, async () => {
    const page = await phone(browser, { serviceWorkers: 'allow' });
    await page.goto(`${BASE_URL}${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15000 });
    await page.context().setOffline(true);
    page.expected.push(/Failed to load resource|ERR_INTERNET_DISCONNECTED/);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.context().setOffline(false);
    await page.context().close();
  });
}

// The wizard's steps after the code are a part of the activation bundle fetched on first
// use (src/ui/chunk.rs): a part that cannot be fetched says so where it would show, with
// a retry that works once the network is back; a part fetched once is kept, so the
// step opens offline.
test('a part fetched on first use: its failure is said with a retry, then it is kept offline', async () => {
  const page = await phone(browser, { serviceWorkers: 'allow' });
  const parts = [];
  page.on('request', (request) => { if (/\/split_[a-z_]+-[0-9a-f]{16}\.wasm$/.test(request.url())) parts.push(request.url()); });
  await page.goto(`${BASE_URL}/activate`);
  await page.getByRole('heading', { level: 1, name: 'Aktywacja planu' }).waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15000 });
  assert.deepEqual(parts, [], 'the first visit fetched no part');
  await page.getByLabel('Kod z karty').fill(code('osmo-360', 'annual'));
  await page.getByText('Kod wygląda poprawnie.').waitFor();
  await page.context().setOffline(true);
  page.expected.push(/Failed to load resource|ERR_INTERNET_DISCONNECTED|Failed to fetch|TypeError/);
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByRole('heading', { level: 2, name: 'Urządzenie' }).waitFor();
  const failed = page.getByRole('alert').filter({ hasText: 'Brak połączenia z serwerem' });
  await failed.waitFor();
  await shot(page, 'offline-part-missing');
  await page.context().setOffline(false);
  await failed.getByRole('button', { name: 'Spróbuj ponownie' }).click();
  await page.getByLabel('Numer seryjny urządzenia').waitFor();
  assert.equal(parts.length >= 2, true, `fetched again on retry: ${parts}`);
  // Kept: offline, a reload of the step shows it.
  await page.context().setOffline(true);
  await page.reload();
  await page.getByLabel('Numer seryjny urządzenia').waitFor();
  await page.context().setOffline(false);
  await page.context().close();
});
