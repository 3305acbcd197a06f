// Every page in both languages: axe-core finds nothing serious or critical, and
// screenshots of each at 360 px and 1280 px are kept as test artefacts.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { activate, code, device, shot, api } from './portal.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let browser;
let pages;
before(async () => {
  browser = await launch();
  const covered = device('rs-3', null);
  await activate(code('rs-3', 'annual'), covered);
  // A device out of the box more than 30 days ago needs a video first (R2).
  const caseSerial = device('osmo-360', new Date(Date.now() - 200 * 24 * 3600 * 1000));
  const opened = await api('/api/verifications', { method: 'POST', body: JSON.stringify({ serial: caseSerial, email: 'jan@example.pl' }) });
  const claim = await api('/api/claims', { method: 'POST', body: JSON.stringify({
    serial: covered, description: 'cracked lens', customer: { name: 'Jan Kowalski', email: 'jan@example.pl' },
    shipping_address: 'ul. Długa 1, 00-001 Warszawa' }) });
  pages = {
    home: '/',
    'claim-new': '/claims/new',
    claim: `/claims/${claim.body.id}`,
    'staff-login': '/staff',
    activate: '/activate',
    coverage: '/coverage',
    'coverage-result': `/coverage/${covered}`,
    certificate: `/coverage/${covered}/certificate`,
    privacy: '/privacy',
    me: '/me',
    video: '/verification',
    'video-case': `/verification/${opened.body.id}`,
    'not-found': '/no-such-page',
    terms: '/terms',
    'claim-unknown': `/claims/${'0'.repeat(32)}`,
    'video-case-unknown': `/verification/${'0'.repeat(32)}`,
  };
});
after(async () => { await browser?.close(); });
// No page may throw, log an error it did not expect, or break the Content Security Policy.
afterEach(() => assert.deepEqual(pageErrors(), []));

async function audit(page) {
  // Evaluated by the test tool rather than added as a <script>, which the page's Content
  // Security Policy rightly refuses.
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const lang of ['pl', 'en']) {
  test(`every page passes axe-core in ${lang}`, async () => {
    const page = await phone(browser);
    page.expected.push(/status of 401/); // the console asks who is signed in before sign-in
    page.expected.push(/status of 404/); // the unknown case and claim links
    if (lang === 'en') {
      await page.goto(`${BASE_URL}/`);
      await page.evaluate(() => localStorage.setItem('care-lang', 'en'));
    }
    const findings = {};
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${BASE_URL}${path}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      assert.equal(await page.locator('html').getAttribute('lang'), lang);
      const found = await audit(page);
      if (found.length) findings[name] = found;
      // Each page as a phone and as a desktop shows it, to be looked at.
      await shot(page, `page-${name}-${lang}-360`);
      await page.setViewportSize({ width: 1280, height: 800 });
      await shot(page, `page-${name}-${lang}-1280`);
      await page.setViewportSize({ width: 360, height: 780 });
    }
    assert.deepEqual(findings, {});
    await page.context().close();
  });
}

test('the activation form works from the keyboard alone', async () => {
  const page = await phone(browser);
  await page.goto(`${BASE_URL}/activate`);
  await page.locator('main h1').waitFor();
  // The first Tab reaches the skip link, which moves the focus to the content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'the skip link moved the focus');
  let reached = false;
  for (let i = 0; i < 10 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.id === 'code');
  }
  assert.ok(reached, 'the code field is reachable by Tab');
  await page.keyboard.type(code('osmo-360', 'annual'));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Urządzenie' }).waitFor();
  // The new step's heading has the focus, so a screen reader announces it.
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H2');
  // Enter in the serial field looks the device up.
  await page.getByLabel('Numer seryjny urządzenia').fill(device('osmo-360', null));
  await page.getByLabel('Numer seryjny urządzenia').press('Enter');
  await page.locator('.eligibility').waitFor();
  await page.context().close();
});
