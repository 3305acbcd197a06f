// Activation journeys in the browser, each followed by a coverage check: a direct
// activation, a typo caught before anything is sent, an extension, and English.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { activate, code, device, now, shot } from './portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
// No page may throw, log an error it did not expect, or break the Content Security Policy.
afterEach(() => assert.deepEqual(pageErrors(), []));

/** Fills the wizard from the code to the review, in Polish. */
async function throughWizard(page, { cardCode, serial, plan = 'Plan roczny', name = 'Jan Kowalski', email = 'jan@example.pl', prefix }) {
  await page.goto(`${BASE_URL}/activate`);
  await page.getByLabel('Kod z karty').fill(cardCode.toLowerCase().replaceAll('-', ' '));
  await page.getByText('Kod wygląda poprawnie.').waitFor();
  await page.getByLabel(plan).check();
  await shot(page, `${prefix}-1-code`);
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  await page.locator('.eligibility').waitFor();
  await shot(page, `${prefix}-2-device`);
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Imię i nazwisko').fill(name);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Akceptuję regulamin DJI Care Refresh.').check();
  await shot(page, `${prefix}-3-details`);
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByRole('heading', { name: 'Podsumowanie' }).waitFor();
  await shot(page, `${prefix}-4-review`);
}

test('a direct activation, then the coverage check', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', null);
  const cardCode = code('osmo-360', 'annual');
  await throughWizard(page, { cardCode, serial, prefix: 'direct' });
  await page.getByRole('button', { name: 'Aktywuj plan' }).click();
  await page.getByRole('heading', { name: 'Plan aktywowany' }).waitFor();
  assert.match(page.url(), /\/activate\/done$/);
  await page.getByText('Wykorzystano 0 z 2; pozostało: 2.').waitFor();
  await page.getByText('Opłata za następną wymianę: 169,00 zł').waitFor();
  const ics = page.getByRole('link', { name: 'Dodaj terminy do kalendarza (.ics)' });
  assert.match(await ics.getAttribute('href'), /^data:text\/calendar/);
  await shot(page, 'direct-5-done');

  await page.goto(`${BASE_URL}/coverage/${serial}`);
  await page.getByText('Ochrona aktywna', { exact: true }).waitFor();
  await page.getByText('Wykorzystano 0 z 2; pozostało: 2.').waitFor();
  await page.getByText(/Przedłużenie planem rocznym możliwe do/).waitFor();
  await shot(page, 'coverage-after-direct');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a typo in the code is caught in the browser before anything is sent', async () => {
  const page = await phone(browser);
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) requests.push(r.url()); });
  await page.goto(`${BASE_URL}/activate`);
  const good = code('osmo-360', 'annual');
  const last = good.at(-1) === '0' ? '1' : '0';
  const typo = good.slice(0, -1) + last;
  const field = page.getByLabel('Kod z karty');
  await field.pressSequentially(typo.replaceAll('-', ''), { delay: 5 });
  // Formatted while typing.
  assert.equal(await field.inputValue(), typo);
  await page.getByText('Kod ma literówkę').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByRole('heading', { name: 'Kod', exact: true }).waitFor();
  await shot(page, 'typo');
  await field.fill(good);
  await page.getByText('Kod wygląda poprawnie.').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'false');
  assert.deepEqual(requests, [], 'nothing was sent to the server');
  await page.context().close();
});

test('an extension shows the new end date, then four replacements', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', null);
  assert.equal((await activate(code('osmo-360', 'annual'), serial)).status, 201);
  const cardCode = code('osmo-360', 'annual');
  await page.goto(`${BASE_URL}/activate`);
  await page.getByLabel('Kod z karty').fill(cardCode);
  await page.getByLabel('Pakiet 2-letni').check();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  // A two-year code can never extend: said before anything is sent.
  await page.getByText('Ochronę można przedłużyć tylko planem rocznym.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Dalej' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Wstecz' }).click();
  await page.getByLabel('Plan roczny').check();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  await page.getByText('To przedłużenie obecnej ochrony.').waitFor();
  await page.getByText(/pozostanie wymian: 4/).waitFor();
  await shot(page, 'extension-preview');
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Imię i nazwisko').fill('Jan Kowalski');
  await page.getByLabel('E-mail').fill('jan@example.pl');
  await page.getByLabel('Akceptuję regulamin DJI Care Refresh.').check();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByRole('button', { name: 'Aktywuj plan' }).click();
  await page.getByText('Ochrona przedłużona').waitFor();
  await page.goto(`${BASE_URL}/coverage/${serial}`);
  await page.getByText('Wykorzystano 0 z 4; pozostało: 4.').waitFor();
  await page.getByRole('heading', { name: 'Okresy ochrony' }).waitFor();
  await shot(page, 'coverage-after-extension');
  await page.context().close();
});

test('a used code is refused at the device step, before any personal details', async () => {
  const page = await phone(browser);
  page.expected.push(/status of 409/); // the server's refusal of the used code
  const serial = device('osmo-360', null);
  const used = code('osmo-360', 'annual');
  assert.equal((await activate(used, device('osmo-360', null))).status, 201);
  await page.goto(`${BASE_URL}/activate`);
  await page.getByLabel('Kod z karty').fill(used);
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByLabel('Numer seryjny urządzenia').press('Enter');
  await page.locator('.eligibility').waitFor();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByRole('alert').getByText('Ten kod został już wykorzystany.').waitFor();
  assert.match(page.url(), /\/activate\/device$/);
  await shot(page, 'refused-used-code');
  await page.getByRole('button', { name: 'Zmień kod' }).click();
  await page.getByRole('heading', { name: 'Kod', exact: true }).waitFor();
  assert.equal(await page.getByLabel('Kod z karty').inputValue(), used);
  await page.context().close();
});

test('a code used by someone else meanwhile comes back to its field, translated', async () => {
  const page = await phone(browser);
  page.expected.push(/status of 409/); // the server's refusal of the used code
  const serial = device('osmo-360', null);
  const racing = code('osmo-360', 'annual');
  await throughWizard(page, { cardCode: racing, serial, prefix: 'refused' });
  // Between the review and the click, the code is used on another device.
  assert.equal((await activate(racing, device('osmo-360', null))).status, 201);
  await page.getByRole('button', { name: 'Aktywuj plan' }).click();
  await page.getByRole('heading', { name: 'Kod', exact: true }).waitFor();
  await page.locator('#code-error').getByText('Ten kod został już wykorzystany.').waitFor();
  await page.context().close();
});

test('a code for another product is named at step 2, with both products', async () => {
  const page = await phone(browser);
  page.expected.push(/status of 422/); // the server's refusal of the mismatch
  const serial = device('rs-3', null);
  await page.goto(`${BASE_URL}/activate`);
  await page.getByLabel('Kod z karty').fill(code('osmo-360', 'annual'));
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  await page.locator('.eligibility').waitFor();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByText(/Ten kod jest do urządzenia DJI Osmo 360, a to urządzenie to DJI RS 3/).waitFor();
  assert.equal(await page.getByLabel('Imię i nazwisko').count(), 0, 'no personal details were asked');
  await shot(page, 'refused-product-mismatch');
  await page.context().close();
});

test('the wizard survives Back, Forward and a reload', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', null);
  const cardCode = code('osmo-360', 'annual');
  await page.goto(`${BASE_URL}/activate`);
  await page.waitForURL(/\/activate\/code$/);
  await page.getByLabel('Kod z karty').fill(cardCode);
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  await page.locator('.eligibility').waitFor();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Imię i nazwisko').fill('Jan Kowalski');
  assert.match(page.url(), /\/activate\/details$/);
  // Back goes to the previous step, with the serial still there.
  await page.goBack();
  assert.equal(await page.getByLabel('Numer seryjny urządzenia').inputValue(), serial);
  await page.goBack();
  assert.equal(await page.getByLabel('Kod z karty').inputValue(), cardCode);
  // Forward brings the steps back as they were.
  await page.goForward();
  await page.goForward();
  assert.equal(await page.getByLabel('Imię i nazwisko').inputValue(), 'Jan Kowalski');
  // A reload (the owner switched apps to read the serial) keeps everything.
  await page.getByLabel('E-mail').fill('jan@example.pl');
  // A Polish number as people write it (spec §4).
  await page.getByLabel('Telefon (opcjonalnie)').fill('600 100 200');
  await page.reload();
  assert.equal(await page.getByLabel('Imię i nazwisko').inputValue(), 'Jan Kowalski');
  assert.equal(await page.getByLabel('E-mail').inputValue(), 'jan@example.pl');
  await page.getByLabel('Akceptuję regulamin DJI Care Refresh.').check();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByRole('heading', { name: 'Podsumowanie' }).waitFor();
  await page.getByText('600 100 200').waitFor();
  await page.getByRole('button', { name: 'Aktywuj plan' }).click();
  await page.getByRole('heading', { name: 'Plan aktywowany' }).waitFor();
  // After the activation the draft is gone: a new start is empty.
  await page.goto(`${BASE_URL}/activate`);
  assert.equal(await page.getByLabel('Kod z karty').inputValue(), '');
  await page.context().close();
});

test('the whole journey in English', async () => {
  const page = await phone(browser);
  const serial = device('rs-3', null);
  const cardCode = code('rs-3', 'annual');
  await page.goto(`${BASE_URL}/`);
  await page.getByRole('button', { name: 'Przełącz na polski' }).or(page.getByRole('button', { name: 'Switch to English' })).click();
  await page.getByRole('heading', { level: 1, name: 'DJI Care Refresh protection' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByRole('combobox', { name: 'Product' }).selectOption('rs-3');
  await page.getByRole('cell', { name: 'PLN 289.00' }).first().waitFor();
  await page.getByText('Warranty reward: if you use no replacement').waitFor();
  await shot(page, 'home-en');
  await page.getByRole('link', { name: 'Activate a plan' }).first().click();
  await page.getByLabel('Code from the card').fill(cardCode);
  await page.getByText('The code looks right.').waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Device serial number').fill(serial);
  await page.getByRole('button', { name: 'Check the device' }).click();
  await page.getByText('The device is new: you can activate a plan right away.').waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Full name').fill('Anna Nowak');
  await page.getByLabel('Email').fill('anna');
  await page.getByLabel('I accept the DJI Care Refresh terms.').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Enter an email address such as jan@example.pl.').waitFor();
  await page.getByLabel('Email').fill('anna@example.pl');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Activate the plan' }).click();
  await page.getByRole('heading', { name: 'Plan activated' }).waitFor();
  await page.getByText('Fee of the next replacement: PLN 289.00').waitFor();
  await page.getByText(/Warranty reward: if you use no replacement, the manufacturer's warranty runs until/).waitFor();
  await shot(page, 'done-en');
  // The choice stays after a reload.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Activate a plan' }).waitFor();
  await page.context().close();
});

test('the server clock drives the previews: the 30-day window to the minute', async () => {
  const page = await phone(browser);
  const at = await now();
  const serial = device('osmo-360', new Date(at.getTime() - (30 * 24 * 3600 - 2 * 3600) * 1000));
  await page.goto(`${BASE_URL}/activate`);
  await page.getByLabel('Kod z karty').fill(code('osmo-360', 'annual'));
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  await page.getByText(/Bez filmu aktywujesz do .* \(zostało (1 godz\. 59 min|2 godz\. 0 min)\)\./).waitFor();
  await page.context().close();
});

test('offline, the device lookup says so at once', async () => {
  const page = await phone(browser);
  page.expected.push(/ERR_INTERNET_DISCONNECTED/);
  await page.goto(`${BASE_URL}/activate`);
  await page.getByLabel('Kod z karty').fill(code('osmo-360', 'annual'));
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(device('osmo-360', null));
  await page.context().setOffline(true);
  const asked = Date.now();
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  await page.getByText('Brak połączenia z serwerem. Sprawdź internet i spróbuj ponownie.').waitFor({ timeout: 3000 });
  console.log(`offline lookup answered in ${Date.now() - asked} ms`);
  await shot(page, 'device-offline');
  await page.context().setOffline(false);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  await page.locator('.eligibility').waitFor();
  await page.context().close();
});
