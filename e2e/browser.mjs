// Shared set-up of the browser tests: Debian's Chromium driven by playwright-core.
// `cargo xtask test` starts the server and passes its address in BASE_URL.
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080';

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // These flags keep Chromium off the (closed) network and working as root.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Pages opened since the last `checkPages()`. */
const opened = new Set();

/** A phone-sized page (360 px wide), without the offline worker unless `options`
 *  allow it (`serviceWorkers: 'allow'`): each test then sees the network as it is.
 *  Its uncaught errors, its console errors (unless
 *  they match one of `page.expected`, the errors a test provokes on purpose) and any
 *  Content Security Policy violation are collected in `page.errors`. */
export async function phone(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'pl-PL', serviceWorkers: 'block', ...options });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const page = await context.newPage();
  page.errors = [];
  page.expected = [];
  page.on('pageerror', (e) => page.errors.push(`uncaught: ${e.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (!page.expected.some((pattern) => pattern.test(text))) page.errors.push(`console: ${text}`);
  });
  opened.add(page);
  return page;
}

/** The errors of every page opened since the last call; a test file checks it after
 *  each test (`afterEach`), so no page error or CSP violation passes unnoticed. */
export function pageErrors() {
  const errors = [...opened].flatMap((page) => page.errors.map((e) => `${page.url()}: ${e}`));
  opened.clear();
  return errors;
}
