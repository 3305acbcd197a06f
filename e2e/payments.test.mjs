// Paying a claim on its page through localstripe's mock Stripe.js: a card, a declined
// card, 3-D Secure in Stripe's window, and a BLIK code checked before anything is sent.
// The mock declares a global `class Element`, which shadows the DOM's own for every
// script of the page (wasm-bindgen's casts among them): once it is loaded, the page is
// judged after a reload, as the panel itself does once paid. Real Stripe.js has no such
// global.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { activate, api, code, device, shot, staffAccount } from './portal.mjs';

const STRIPE = process.env.CARE_TEST_STRIPE;

let browser;
let service;
before(async () => {
  browser = await launch();
  if (!STRIPE) return;
  // localstripe sends its events to this portal.
  const hook = await fetch(`${STRIPE}/_config/webhooks/e2e`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ url: `${BASE_URL}/api/payments/stripe/webhook`, secret: 'whsec_e2e' }),
  });
  assert.equal(hook.status, 200);
  const account = staffAccount('service');
  const login = await api('/api/staff/login', { method: 'POST', body: JSON.stringify(account) });
  service = login.headers.get('set-cookie').split(';')[0];
});
after(async () => { await browser?.close(); });
afterEach(() => assert.deepEqual(pageErrors(), []));

/** A claim of a covered Osmo 360 awaiting its Care Refresh fee (169 zł). */
async function awaitingPayment() {
  const serial = device('osmo-360', null);
  assert.equal((await activate(code('osmo-360', 'annual'), serial)).status, 201);
  const filed = await api('/api/claims', { method: 'POST', body: JSON.stringify({
    serial, description: 'cracked lens', customer: { name: 'Jan Kowalski', email: 'jan@example.pl' },
    shipping_address: 'ul. Długa 1, 00-001 Warszawa' }) });
  const id = filed.body.id;
  const step = (name, body = {}) => api(`/api/staff/claims/${id}/${name}`, { method: 'POST', headers: { cookie: service }, body: JSON.stringify(body) });
  assert.equal((await step('receive')).status, 200);
  assert.equal((await step('quote', { amount_grosze: 45000, note: 'lens' })).status, 200);
  assert.equal((await api(`/api/claims/${id}/choice`, { method: 'POST', body: JSON.stringify({ option: 'care_refresh' }) })).status, 200);
  return id;
}

/** Opens the card form and types a card into the mock Stripe.js fields. */
async function typeCard(page, number) {
  await page.getByRole('button', { name: 'Zapłać teraz 169,00 zł: karta lub BLIK' }).click();
  // BLIK comes first; the card loads Stripe.js.
  await page.getByLabel('Karta').check();
  const field = (name) => page.locator(`#card-element input[placeholder="${name}"]`);
  await field('number').waitFor();
  await field('number').fill(number);
  await field('exp_month').fill('12');
  await field('exp_year').fill('30');
  await field('cvc').fill('123');
  await field('postal_code').fill('00001');
}

test('a card pays the claim on its page, and the page says so', { skip: !STRIPE && 'CARE_TEST_STRIPE is not set' }, async () => {
  const claim = await awaitingPayment();
  const page = await phone(browser);
  await page.goto(`${BASE_URL}/claims/${claim}`);
  await page.getByText('Do zapłaty: 169,00 zł').waitFor();
  await shot(page, 'pay-0-due');
  await typeCard(page, '4242424242424242');
  await shot(page, 'pay-1-card');
  await page.getByRole('button', { name: 'Zapłać', exact: true }).click();
  await page.locator('p.status').getByText('Opłacone').waitFor();
  assert.equal(await page.getByText('Do zapłaty: 169,00 zł').count(), 0);
  await shot(page, 'pay-2-paid');
  await page.context().close();
});

test('a declined card is explained, and 3-D Secure finishes in Stripe\'s window', { skip: !STRIPE && 'CARE_TEST_STRIPE is not set' }, async () => {
  const claim = await awaitingPayment();
  const page = await phone(browser);
  page.expected.push(/status of 402/); // the mock Stripe.js reports the decline it gets
  await page.goto(`${BASE_URL}/claims/${claim}`);
  await typeCard(page, '4000000000000341');
  const answered = page.waitForResponse((r) => r.url().endsWith('/payment/confirm'));
  await page.getByRole('button', { name: 'Zapłać', exact: true }).click();
  assert.equal((await (await answered).json()).failure, 'card_declined');
  // The claim page tells why, until another attempt.
  await page.reload();
  await page.getByText('Karta została odrzucona. Spróbuj innej karty albo BLIK.').waitFor();
  await shot(page, 'pay-declined');

  const second = await awaitingPayment();
  await page.goto(`${BASE_URL}/claims/${second}`);
  await typeCard(page, '4000002500003155');
  await page.getByRole('button', { name: 'Zapłać', exact: true }).click();
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await page.locator('p.status').getByText('Opłacone').waitFor({ timeout: 20_000 });
  await page.context().close();
});

test('a BLIK code is checked before anything is sent', { skip: !STRIPE && 'CARE_TEST_STRIPE is not set' }, async () => {
  const claim = await awaitingPayment();
  const page = await phone(browser);
  await page.goto(`${BASE_URL}/claims/${claim}`);
  await page.getByRole('button', { name: 'Zapłać teraz 169,00 zł: karta lub BLIK' }).click();
  assert.equal(await page.getByLabel('BLIK', { exact: true }).isChecked(), true, 'BLIK comes first');
  const sent = [];
  page.on('request', (r) => { if (r.url().includes('/payment/confirm')) sent.push(r.url()); });
  await page.getByLabel('Kod BLIK').fill('12345');
  await page.getByRole('button', { name: 'Zapłać', exact: true }).click();
  await page.getByText('Kod BLIK ma 6 cyfr.').waitFor();
  assert.equal(await page.getByLabel('Kod BLIK').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(sent, []);
  await shot(page, 'pay-blik-invalid');
  await page.context().close();
});

test('the payment panel in English at 1280 px explains a wrong BLIK code', { skip: !STRIPE && 'CARE_TEST_STRIPE is not set' }, async () => {
  const claim = await awaitingPayment();
  const page = await phone(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${BASE_URL}/claims/${claim}`);
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('button', { name: 'Pay PLN 169.00 now: card or BLIK' }).click();
  await page.getByLabel('BLIK code').fill('12');
  await page.getByRole('button', { name: 'Pay', exact: true }).click();
  await page.getByText('A BLIK code is 6 digits.').waitFor();
  await shot(page, 'pay-blik-invalid-en-1280');
  await page.context().close();
});

test('the console shows how a claim was paid and refunds it with a reason', async () => {
  const claim = STRIPE ? await awaitingPayment() : null;
  if (!claim) return;
  const pay = await api(`/api/staff/claims/${claim}/payment`, { method: 'POST', headers: { cookie: service }, body: '{}' });
  assert.equal(pay.status, 200);
  const staff = await phone(browser, { viewport: { width: 1280, height: 900 } });
  staff.expected.push(/status of 401/); // the console asks who is signed in before sign-in
  const account = staffAccount('service');
  await staff.goto(`${BASE_URL}/staff`);
  await staff.getByLabel('E-mail').fill(account.email);
  await staff.getByLabel('Hasło').fill(account.password);
  await staff.getByRole('button', { name: 'Zaloguj się' }).click();
  await staff.waitForURL(/\/staff\/claims$/);
  await staff.goto(`${BASE_URL}/staff/claims/${claim}`);
  await staff.getByText('Zapłacono: przelew').waitFor();
  // A refund needs its reason, checked before anything is sent.
  await staff.getByRole('button', { name: 'Zwróć płatność' }).click();
  await staff.getByText('Napisz, dlaczego zwracamy płatność (do 1000 znaków).').waitFor();
  await staff.getByLabel('Powód zwrotu (klient go przeczyta)').fill('brak części');
  await staff.getByRole('button', { name: 'Zwróć płatność' }).click();
  await staff.getByRole('status').getByText('Zwrócono płatność').waitFor();
  await staff.getByText('Zwrócono (przelew): brak części').waitFor();
  await shot(staff, 'staff-claim-refunded');
  const doc = (await api(`/api/claims/${claim}`)).body;
  assert.equal(doc.status, 'refunded');
  await staff.context().close();
});
