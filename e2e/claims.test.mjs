// Claims in the browser: an owner files a claim and chooses Care Refresh, the service
// team takes it through the staff console, and the coverage shows one replacement
// less; a reviewer reviews a video in the console.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { activate, api, code, device, shot, staffAccount, videoFile } from './portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
// No page may throw, log an error it did not expect, or break the Content Security Policy.
afterEach(() => assert.deepEqual(pageErrors(), []));

async function signIn(page, account) {
  await page.goto(`${BASE_URL}/staff`);
  await page.getByLabel('E-mail').fill(account.email);
  await page.getByLabel('Hasło').fill(account.password);
  await shot(page, 'staff-login');
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await page.getByText(`Zalogowano jako ${account.email}`).waitFor();
}

test('a claim from filing to shipping, then one replacement less at 179 zł', async () => {
  const serial = device('osmo-360', null);
  assert.equal((await activate(code('osmo-360', 'annual'), serial)).status, 201);
  const owner = await phone(browser);
  await owner.goto(`${BASE_URL}/claims/new`);
  await owner.getByRole('heading', { name: 'Co dalej' }).waitFor();
  await owner.getByLabel('Numer seryjny urządzenia').fill(serial);
  await owner.getByLabel('Co się stało?').fill('Upadek na skały, pęknięty obiektyw.');
  await owner.getByLabel('Imię i nazwisko').fill('Jan Kowalski');
  // Exactly: the "Lost your link?" form below has an email field too.
  await owner.getByLabel('E-mail', { exact: true }).fill('jan@example.pl');
  await owner.getByLabel('Adres, na który odeślemy urządzenie').fill('ul. Długa 1\n00-001 Warszawa');
  await shot(owner, 'claim-1-file');
  await owner.getByRole('button', { name: 'Wyślij zgłoszenie' }).click();
  await owner.waitForURL(/\/claims\/[0-9a-f]{32}$/);
  const claimUrl = owner.url();
  // A short number to quote, where to send the device and what to put in the parcel.
  await owner.getByRole('heading', { name: /^Zgłoszenie CR-[0-9A-F]{8}$/ }).waitFor();
  await owner.getByText(`Urządzenie ${serial}`).waitFor();
  const number = (await owner.getByRole('heading', { level: 2 }).first().innerText()).match(/CR-[0-9A-F]{8}/)[0];
  await owner.getByRole('heading', { name: 'Wyślij urządzenie na adres' }).waitFor();
  await owner.getByText('Care Refresh Service, ul. Serwisowa 1, 00-001 Warszawa').waitFor();
  await owner.getByText(`Włóż kartkę z numerem zgłoszenia ${number} i swoim numerem telefonu.`).waitFor();
  await owner.getByText('Wymiana Care Refresh: 169,00 zł').waitFor();
  await owner.getByText('Odeślemy urządzenie priorytetowo i bez opłat za wysyłkę.').waitFor();
  await shot(owner, 'claim-2-filed');

  const staff = await phone(browser, { viewport: { width: 1024, height: 800 } });
  staff.expected.push(/status of 401/); // the console asks who is signed in before sign-in
  await signIn(staff, staffAccount('service'));
  // The service team lands on its queue.
  await staff.waitForURL(/\/staff\/claims$/);
  await staff.getByLabel('Stan').selectOption('submitted');
  const entry = staff.locator('li.card', { hasText: serial });
  await entry.getByText('j***@example.pl').waitFor();
  await shot(staff, 'staff-claims');
  await entry.getByRole('link', { name: 'Otwórz' }).click();
  await staff.getByRole('button', { name: 'Urządzenie dotarło' }).click();
  await staff.getByRole('status').getByText('Urządzenie w serwisie').waitFor();
  await staff.getByLabel('Kwota naprawy (zł)').fill('450');
  await staff.getByLabel('Zakres naprawy').fill('wymiana modułu obiektywu');
  await staff.getByRole('button', { name: 'Zapisz wycenę' }).click();
  await staff.getByRole('status').getByText('Wycena gotowa').waitFor();
  await shot(staff, 'staff-claim-quoted');

  await owner.goto(claimUrl);
  await owner.getByText('Wycena naprawy: 450,00 zł').waitFor();
  await shot(owner, 'claim-3-quoted');
  // Nothing is chosen on one click: the choice is explained and then confirmed.
  await owner.getByRole('button', { name: 'Wymiana Care Refresh za 169,00 zł' }).click();
  await owner.getByText('Potwierdź wybór: później nie można go zmienić.').waitFor();
  await owner.getByRole('button', { name: 'Wróć' }).click();
  await owner.getByRole('button', { name: 'Wymiana Care Refresh za 169,00 zł' }).click();
  await shot(owner, 'claim-3-confirm');
  await owner.getByRole('button', { name: 'Potwierdzam' }).click();
  await owner.getByText('Do zapłaty: 169,00 zł').waitFor();
  await owner.getByText(/Tytuł przelewu: CR-[0-9A-F]{8}/).waitFor();
  await shot(owner, 'claim-4-payment');

  await staff.reload();
  await staff.getByRole('button', { name: 'Płatność otrzymana' }).click();
  await staff.getByRole('status').getByText('Opłacone').waitFor();
  await staff.getByLabel('Numer przesyłki').fill('PX123456789PL');
  await staff.getByRole('button', { name: 'Wyślij' }).click();
  await staff.getByRole('status').getByText('Wysłane').waitFor();

  await owner.goto(claimUrl);
  await owner.getByText('Numer przesyłki: PX123456789PL').waitFor();
  for (const step of ['Zgłoszone', 'Urządzenie w serwisie', 'Wycena gotowa', 'Czeka na płatność', 'Opłacone', 'Wysłane']) {
    await owner.locator('.timeline').getByText(step).waitFor();
  }
  await shot(owner, 'claim-5-shipped');
  await owner.goto(`${BASE_URL}/coverage/${serial}`);
  await owner.getByText('Wykorzystano 1 z 2; pozostało: 1.').waitFor();
  await owner.getByText('Opłata za następną wymianę: 179,00 zł').waitFor();
  await shot(owner, 'coverage-after-claim');

  await staff.goto(`${BASE_URL}/staff/devices/${serial}`);
  await staff.getByRole('heading', { name: 'Wykorzystane wymiany' }).waitFor();
  await staff.getByRole('cell', { name: '169,00 zł' }).waitFor();
  await staff.getByText('Zgłoszenie: Wysłane').waitFor();
  await shot(staff, 'staff-device');
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(staff.errors, []);
  await owner.context().close();
  await staff.context().close();
});

test('the staff console reviews a video; claims stay out of a reviewer\'s reach', async () => {
  const serial = device('osmo-360', new Date(Date.now() - 400 * 24 * 3600 * 1000));
  const opened = await api('/api/verifications', { method: 'POST', body: JSON.stringify({ serial, email: 'jan@example.pl' }) });
  const caseId = opened.body.id;
  const owner = await phone(browser);
  await owner.goto(`${BASE_URL}/verification/${caseId}`);
  await owner.getByLabel('Plik wideo').setInputFiles(videoFile(2 * 1024 * 1024));
  await owner.getByText(/Plik: clip-/).waitFor();
  await owner.getByRole('button', { name: 'Prześlij film' }).click();
  await owner.getByText('Film czeka na ocenę. Sprawdzimy go najszybciej, jak to możliwe.').waitFor();

  const staff = await phone(browser, { viewport: { width: 1024, height: 800 } });
  staff.expected.push(/status of 401/); // the console asks who is signed in before sign-in
  await signIn(staff, staffAccount('reviewer'));
  // A reviewer lands on the videos waiting for review.
  await staff.waitForURL(/\/staff\/videos$/);
  const entry = staff.locator('li.card', { hasText: serial });
  await entry.getByRole('link', { name: 'Otwórz' }).click();
  const video = staff.locator('video.review-video');
  await video.waitFor();
  assert.equal(await video.getAttribute('src'), `/api/staff/verifications/${caseId}/video`);
  const served = await staff.evaluate(async (src) => (await fetch(src, { headers: { Range: 'bytes=0-15' } })).status, `/api/staff/verifications/${caseId}/video`);
  assert.equal(served, 206, 'the video streams with Range for the reviewer');
  await shot(staff, 'staff-video');
  await staff.getByRole('button', { name: 'Akceptuj film' }).click();
  await staff.getByRole('status').getByText('Zaakceptowane', { exact: true }).waitFor();
  await owner.reload();
  await owner.getByText(/Film zaakceptowany\. Aktywuj plan do/).waitFor();

  await staff.goto(`${BASE_URL}/staff/claims`);
  await staff.getByText('Ta część konsoli jest dla innej roli.').waitFor();
  await owner.context().close();
  await staff.context().close();
});
