// The console's undelivered mail: a message the mail server refused on every attempt
// is listed with the server's last answer, goes out again on one click, and leaves the
// list once delivered (this server writes mail to files, which never refuse).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { serial, shot, staffAccount, undeliverableMail } from './portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
afterEach(() => assert.deepEqual(pageErrors(), []));

async function signIn(page, path) {
  page.expected.push(/status of 401/); // the console asks who is signed in before sign-in
  const account = staffAccount('reviewer');
  await page.goto(`${BASE_URL}${path}`);
  await page.getByLabel('E-mail').fill(account.email);
  await page.getByLabel('Hasło').fill(account.password);
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
}

test('a message that failed every attempt is listed and sent again', async () => {
  const subject = `Reklamacja ${serial()}: urządzenie wysłane`;
  undeliverableMail('anna.nowak@example.pl', subject, '550 5.1.1 <anna.nowak@example.pl>: Recipient address rejected');
  const page = await phone(browser);
  await signIn(page, '/staff');
  // Every member reaches it from the console's menu.
  await page.getByRole('link', { name: 'Niedostarczone e-maile' }).click();
  await page.getByRole('heading', { level: 1, name: 'Niedostarczone e-maile' }).waitFor();
  const item = page.getByRole('listitem').filter({ hasText: subject });
  await item.waitFor();
  // The address masked, the attempts and the mail server's own words.
  await item.getByText('a***@example.pl').waitFor();
  await item.getByText('prób: 20').waitFor();
  await item.getByText('550 5.1.1').waitFor();
  await shot(page, 'staff-mail-failed');
  await item.getByRole('button', { name: 'Wyślij ponownie' }).click();
  await item.getByRole('status').getByText('Ponownie w kolejce').waitFor();
  assert.equal(await item.getByRole('button', { name: 'Wyślij ponownie' }).count(), 0, 'sent once');
  // Delivered within seconds: after a reload it is no longer listed.
  let listed = 1;
  for (let i = 0; i < 50 && listed > 0; i += 1) {
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Niedostarczone e-maile' }).waitFor();
    await page.getByText('prób:').or(page.getByText('Wszystkie wiadomości dotarły.')).first().waitFor();
    listed = await page.getByText(subject).count();
  }
  assert.equal(listed, 0, 'delivered after the resend');
  await page.context().close();
});

test('the page in English at 1280 px, with nothing left to deliver', async () => {
  const page = await phone(browser, { viewport: { width: 1280, height: 800 } });
  await signIn(page, '/staff/mail');
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Undelivered mail' }).waitFor();
  await page.getByText('Every message has been delivered.').waitFor();
  await shot(page, 'staff-mail-empty-en');
  await page.context().close();
});
