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

/** A phone-sized page (360 px wide) that fails the test on any page error. */
export async function phone(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'pl-PL', ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}
