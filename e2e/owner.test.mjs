// The owner's page (issue 17): ask for a link, open it from the email, see the devices,
// video cases and claims of that address; the link works once; signing out ends it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { api, code, device, mailTo, shot } from './portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The path of the newest sign-in link mailed to `email`, waiting for the mail job. */
async function signInLink(email) {
  for (let i = 0; i < 100; i += 1) {
    const links = mailTo(email).map((body) => body.match(/\/me#token=[0-9a-f]+/)?.[0]).filter(Boolean);
    if (links.length > 0) return links.at(-1);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no sign-in link for ${email}`);
}

test('an owner asks for a link, opens it from the email and sees everything of theirs', async () => {
  const email = `owner-${Date.now()}@example.pl`;
  const covered = device('osmo-360', null);
  const activated = await api('/api/activations', {
    method: 'POST',
    body: JSON.stringify({ code: code('osmo-360', 'annual'), serial: covered, customer: { name: 'Ewa Zielińska', email }, accept_terms: true }),
  });
  assert.equal(activated.status, 201);
  const secondHand = device('osmo-360', new Date(Date.now() - 40 * 86400 * 1000));
  const opened = await api('/api/verifications', { method: 'POST', body: JSON.stringify({ serial: secondHand, email }) });
  assert.equal(opened.status, 201);
  const filed = await api('/api/claims', {
    method: 'POST',
    body: JSON.stringify({ serial: covered, description: 'The screen cracked in a fall.', customer: { name: 'Ewa Zielińska', email }, shipping_address: 'ul. Polna 3, 00-003 Warszawa' }),
  });
  assert.equal(filed.status, 201);

  const page = await phone(browser, { acceptDownloads: true });
  // Signed out, the page asks the server and hears 401 (the session cookie is HttpOnly).
  page.expected.push(/401 \(Unauthorized\)/, /409 \(Conflict\)/);
  await page.goto(`${BASE_URL}/me`);
  await page.getByRole('heading', { level: 1, name: 'Twoje urządzenia i zgłoszenia' }).waitFor();
  await page.getByRole('heading', { name: 'Poproś o link do logowania' }).waitFor();
  await shot(page, 'owner-1-ask-pl-360');
  // A mistyped address is caught by the page, next to the field.
  await page.getByLabel('E-mail').fill('ewa@');
  await page.getByRole('button', { name: 'Wyślij mi link' }).click();
  await page.getByText('Podaj adres e-mail').first().waitFor();
  await page.getByLabel('E-mail').fill(email.toUpperCase());
  await page.getByRole('button', { name: 'Wyślij mi link' }).click();
  await page.getByRole('status').getByText('link jest w drodze').waitFor();

  const link = await signInLink(email);
  await page.goto(`${BASE_URL}${link}`);
  await page.getByText(`Zalogowano jako ${email}.`).waitFor();
  // The token leaves the address at once.
  assert.equal(new URL(page.url()).hash, '');
  await page.getByRole('heading', { level: 3, name: `DJI Osmo 360 · ${covered}` }).waitFor();
  assert.ok(await page.getByText('Ochrona aktywna').first().isVisible());
  assert.equal(await page.getByRole('link', { name: 'Potwierdzenie ochrony', exact: true }).getAttribute('href'), `/coverage/${covered}/certificate`);
  assert.ok(await page.getByText('Pozostałe wymiany: 2 z 2').isVisible());
  await page.getByRole('heading', { level: 3, name: `Film dla ${secondHand}` }).waitFor();
  await page.getByRole('heading', { level: 3, name: new RegExp(filed.body.number) }).waitFor();
  await shot(page, 'owner-2-overview-pl-360');
  // Each record links to its own page.
  await page.getByRole('listitem').filter({ hasText: filed.body.number }).getByRole('link', { name: 'Otwórz' }).click();
  await page.waitForURL(new RegExp(`/claims/${filed.body.id}$`));
  await page.goBack();
  await page.getByText(`Zalogowano jako ${email}.`).waitFor();
  // The owner's data, as a file.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Pobierz moje dane (JSON)' }).click(),
  ]);
  const data = JSON.parse(await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8')));
  assert.equal(data.email, email);
  assert.equal(data.claims[0].shipping_address, 'ul. Polna 3, 00-003 Warszawa');
  // Erasure waits while a claim is open, and says why.
  await page.getByRole('button', { name: 'Usuń moje dane' }).click();
  await page.getByRole('button', { name: 'Tak, usuń moje dane' }).click();
  await page.getByText('Twoje zgłoszenie jest jeszcze otwarte').waitFor();
  await shot(page, 'owner-5-erase-refused-pl-360');
  // The session outlives a reload; signing out ends it.
  await page.reload();
  await page.getByText(`Zalogowano jako ${email}.`).waitFor();
  await page.getByRole('button', { name: 'Wyloguj' }).click();
  await page.getByRole('heading', { name: 'Poproś o link do logowania' }).waitFor();
  // The same link again: used.
  await page.goto(`${BASE_URL}${link}`);
  await page.getByText('Ten link został już użyty albo wygasł').waitFor();
  assert.deepEqual(pageErrors(), []);
  await page.context().close();
});

test('the owner page in English on a wide screen', async () => {
  const email = `owner-en-${Date.now()}@example.pl`;
  const covered = device('osmo-360', null);
  await api('/api/activations', {
    method: 'POST',
    body: JSON.stringify({ code: code('osmo-360', 'annual'), serial: covered, customer: { name: 'Ewa Zielińska', email }, accept_terms: true }),
  });
  await api('/api/owner/access', { method: 'POST', body: JSON.stringify({ email }) });
  const link = await signInLink(email);
  const page = await phone(browser, { viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  await page.goto(`${BASE_URL}/`);
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.goto(`${BASE_URL}${link}`);
  await page.getByRole('heading', { level: 1, name: 'Your devices and claims' }).waitFor();
  await page.getByText('Coverage active').first().waitFor();
  await page.getByText('No claim.').waitFor();
  await shot(page, 'owner-3-overview-en-1280');
  // With no claim open, erasure goes through and signs the owner out.
  await page.getByRole('button', { name: 'Erase my data' }).click();
  await page.getByRole('button', { name: 'Yes, erase my data' }).click();
  await page.getByRole('heading', { name: 'Get a sign-in link' }).waitFor();
  const coverage = await api(`/api/coverage/${covered}`);
  assert.equal(coverage.body.status, 'active');
  assert.deepEqual(mailTo(email), []);
  assert.deepEqual(pageErrors(), []);
  await page.context().close();
});

test('a lost link is asked for from the pages of claims and coverage', async () => {
  const page = await phone(browser);
  // The unknown case and claim are 404s the browser reports in the console.
  page.expected.push(/404 \(Not Found\)/);
  for (const path of ['/claims/new', '/coverage', '/claims/0123456789abcdef0123456789abcdef', '/verification/0123456789abcdef0123456789abcdef']) {
    await page.goto(`${BASE_URL}${path}`);
    await page.getByRole('heading', { name: 'Zgubiłeś link?' }).waitFor();
  }
  await shot(page, 'owner-4-lost-link-pl-360');
  assert.deepEqual(pageErrors(), []);
  await page.context().close();
});

test('the privacy notice, linked from every form that takes personal data', async () => {
  const page = await phone(browser);
  page.expected.push(/404 \(Not Found\)/);
  for (const path of ['/claims/new', '/verification', '/me', '/coverage']) {
    await page.goto(`${BASE_URL}${path}`);
    const link = page.getByRole('link', { name: 'Jak wykorzystujemy Twoje dane: informacja o prywatności' }).first();
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), '/privacy');
  }
  await page.goto(`${BASE_URL}/privacy`);
  await page.getByRole('heading', { level: 1, name: 'Prywatność' }).waitFor();
  await page.getByRole('heading', { name: 'Twoje prawa' }).waitFor();
  await shot(page, 'privacy-pl-360');
  assert.deepEqual(pageErrors(), []);
  await page.context().close();
});
