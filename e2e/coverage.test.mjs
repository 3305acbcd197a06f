// The coverage page offers the next step the rules allow for each device, and a link
// that finds nothing says what to do instead of only "not found".
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { activate, code, device, now, shot } from './portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
afterEach(() => assert.deepEqual(pageErrors(), []));

const DAY = 24 * 3600 * 1000;

test('a sealed device without a plan is offered the activation, prefilled', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', null);
  await page.goto(`${BASE_URL}/coverage/${serial}`);
  await page.getByText('Brak planu Care Refresh').waitFor();
  const next = page.locator('.next-steps');
  await next.getByRole('heading', { name: 'Co możesz zrobić' }).waitFor();
  assert.equal(await next.getByRole('link', { name: 'Zgłoś naprawę' }).count(), 0, 'no claim without a plan');
  await shot(page, 'coverage-next-activate');
  await next.getByRole('link', { name: 'Aktywuj plan' }).click();
  await page.getByLabel('Kod z karty').fill(code('osmo-360', 'annual'));
  await page.getByRole('button', { name: 'Dalej' }).click();
  assert.equal(await page.getByLabel('Numer seryjny urządzenia').inputValue(), serial);
  await page.context().close();
});

test('an older device without a plan is sent to the video first', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', new Date((await now()).getTime() - 200 * DAY));
  await page.goto(`${BASE_URL}/coverage/${serial}`);
  const next = page.locator('.next-steps');
  await next.getByText(/najpierw wyślij film weryfikacyjny/).waitFor();
  assert.equal(await next.getByRole('link', { name: 'Nagraj i prześlij film' }).getAttribute('href'), `/verification?serial=${serial}`);
  assert.equal(await next.getByRole('link', { name: 'Aktywuj plan' }).count(), 0);
  await page.context().close();
});

test('an active plan offers a claim, an extension with its deadline and a calendar', async () => {
  const page = await phone(browser);
  const serial = device('rs-3', null);
  assert.equal((await activate(code('rs-3', 'annual'), serial)).status, 201);
  await page.goto(`${BASE_URL}/coverage/${serial}`);
  const next = page.locator('.next-steps');
  await next.getByText(/Kartą planu rocznego dodasz 12 miesięcy i 2 wymiany; aktywuj ją do .* \(zostało 12 mies\.\)\./).waitFor();
  assert.equal(await next.getByRole('link', { name: 'Zgłoś naprawę' }).getAttribute('href'), `/claims/new?serial=${serial}`);
  assert.equal(await next.getByRole('link', { name: 'Przedłuż ochronę' }).getAttribute('href'), `/activate?serial=${serial}`);
  assert.match(await next.getByRole('link', { name: 'Dodaj terminy do kalendarza (.ics)' }).getAttribute('href'), /^data:text\/calendar/);
  await shot(page, 'coverage-next-active');
  await page.context().close();
});

test('a claim or case link that finds nothing explains what to do', async () => {
  const page = await phone(browser);
  page.expected.push(/status of 404/);
  await page.goto(`${BASE_URL}/claims/${'0'.repeat(32)}`);
  await page.getByRole('heading', { name: 'Nie znajdujemy tego zgłoszenia' }).waitFor();
  await page.getByText(/Otwórz cały link z e-maila o zgłoszeniu/).waitFor();
  await page.goto(`${BASE_URL}/verification/${'0'.repeat(32)}`);
  await page.getByRole('heading', { name: 'Nie znajdujemy tej sprawy filmu' }).waitFor();
  await page.getByText(/Jeśli go nie masz, otwórz nową sprawę\./).waitFor();
  await page.context().close();
});
