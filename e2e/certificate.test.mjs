// The proof of coverage: one printed A4 page whose QR code, read off the page as a
// phone's camera would, opens the public coverage page of the serial.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { activate, code, device, shot } from './portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
afterEach(() => assert.deepEqual(pageErrors(), []));

/** Pages in a PDF as Chromium writes it: one `/Type /Page` object each. */
function pdfPages(pdf) {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) ?? []).length;
}

/** What the QR code in `element`'s screenshot says. */
async function readQr(element) {
  const png = PNG.sync.read(await element.screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

/** An extended plan: two annual terms on one device. */
async function extendedDevice() {
  const serial = device('rs-3', null);
  assert.equal((await activate(code('rs-3', 'annual'), serial)).status, 201);
  assert.equal((await activate(code('rs-3', 'annual'), serial)).status, 201);
  return serial;
}

test('the proof of coverage prints on one A4 page and its QR code opens the coverage page', async () => {
  const serial = await extendedDevice();
  const page = await phone(browser);
  await page.goto(`${BASE_URL}/coverage/${serial}`);
  await page.locator('.next-steps').getByRole('link', { name: 'Potwierdzenie ochrony', exact: true }).click();
  await page.waitForURL(`${BASE_URL}/coverage/${serial}/certificate`);
  const certificate = page.locator('.certificate');
  await certificate.getByRole('heading', { name: 'Potwierdzenie ochrony Care Refresh' }).waitFor();
  const facts = await certificate.locator('.facts').innerText();
  for (const expected of ['DJI RS 3', serial, 'Ochrona aktywna', 'Wykorzystano 0 z 4; pozostało: 4.', 'Wystawiono']) {
    assert.ok(facts.includes(expected), `${expected} in ${facts}`);
  }
  assert.equal(facts.match(/Plan roczny: \S+, \S+ – \S+, \S+/g)?.length, 2, `both terms listed in ${facts}`);
  assert.match(facts, /Gwarancja producenta\n.*gwarancja producenta potrwa do/);
  assert.ok(!(await page.content()).includes('Kowalski'), 'no personal data on the proof');
  const qr = certificate.locator('.qr img');
  await qr.evaluate((img) => img.decode());
  assert.equal(await readQr(qr), `${BASE_URL}/coverage/${serial}`);
  await shot(page, 'certificate-phone-pl');

  const pdf = await page.pdf({ format: 'A4' });
  assert.equal(pdfPages(pdf), 1, 'one A4 page');
  // What prints is the proof alone: no site header, footer or buttons.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.site-header').isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'Drukuj lub zapisz jako PDF' }).isVisible(), false);
  assert.equal(await readQr(qr), `${BASE_URL}/coverage/${serial}`, 'the printed code reads the same');
  await page.context().close();
});

test('the proof of coverage in English on a wide screen, and for a device without a plan', async () => {
  const serial = await extendedDevice();
  const page = await phone(browser, { viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  await page.goto(`${BASE_URL}/coverage/${serial}`);
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('link', { name: 'Proof of coverage', exact: true }).click();
  const certificate = page.locator('.certificate');
  await certificate.getByRole('heading', { name: 'Proof of Care Refresh coverage' }).waitFor();
  await certificate.getByText('0 of 4 used; 4 left.').waitFor();
  await certificate.getByText(`${BASE_URL}/coverage/${serial}`).waitFor();
  await shot(page, 'certificate-desktop-en');
  const pdf = await page.pdf({ format: 'A4' });
  assert.equal(pdfPages(pdf), 1, 'one A4 page');

  const sealed = device('osmo-360', null);
  await page.goto(`${BASE_URL}/coverage/${sealed}/certificate`);
  await page.getByText(`Device ${sealed} has no Care Refresh plan, so there is no coverage to prove.`).waitFor();
  assert.equal(await page.locator('.qr').count(), 0);
  await page.getByRole('link', { name: 'Back to the coverage' }).click();
  await page.waitForURL(`${BASE_URL}/coverage/${sealed}`);
  await page.context().close();
});
