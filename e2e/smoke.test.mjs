// The smoke test: the served app loads in headless Chromium, its Wasm runs and
// renders the home page (in Polish, though this browser asks for English), and an
// unknown route shows the not-found page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the home page has its title and is rendered by the app in Polish', async () => {
  const page = await phone(browser, { locale: 'en-US' });
  await page.goto(BASE_URL);
  // index.html has an empty body: this heading exists only if the Wasm app ran.
  await page.getByRole('heading', { level: 1, name: 'Ochrona DJI Care Refresh' }).waitFor();
  assert.match(await page.title(), /Care Refresh/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'pl');
  // The fees come from the rules crate compiled into the app.
  await page.getByRole('cell', { name: '169,00 zł' }).first().waitFor();
  // Every page runs under the strict Content Security Policy with no violation.
  assert.deepEqual(pageErrors(), []);
  await page.close();
});

test('an unknown route shows the not-found page', async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE_URL}/no-such-page`);
  await page.getByRole('heading', { level: 1, name: 'Nie ma takiej strony' }).waitFor();
  await page.close();
});
