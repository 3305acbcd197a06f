// What the browser tests need besides a browser: test data made with the server's
// own operator commands, the test clock, and staff actions through the API.
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_URL } from './browser.mjs';

const BIN = process.env.CARE_SERVER_BIN;
const DATA = process.env.CARE_DATA_DIR;
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(tmpdir(), 'care-e2e-artifacts');
mkdirSync(ARTIFACTS, { recursive: true });
// Files the tests make (CSV rows, videos) go beside the server's data, which
// `cargo xtask test` wipes on every run.
const FILES = join(DATA ?? tmpdir(), 'e2e-files');
mkdirSync(FILES, { recursive: true });

function cli(args, input) {
  return execFileSync(BIN, ['--data-dir', DATA, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

let counter = 0;
/** A new serial number, unique to this run. */
export function serial() {
  counter += 1;
  return `E2E${Date.now().toString().slice(-8)}${String(counter).padStart(3, '0')}`;
}

/** Registers a device; `activatedAt` is a Date or null (sealed). */
export function device(product, activatedAt) {
  const id = serial();
  const file = join(FILES, `${id}.csv`);
  writeFileSync(file, `${id},${product},${activatedAt ? activatedAt.toISOString().replace(/\.\d+Z$/, 'Z') : ''}\n`);
  cli(['import', 'devices', file]);
  return id;
}

/** A new code, as `codes generate` prints it. */
export function code(product, plan) {
  return cli(['codes', 'generate', '--product', product, '--plan', plan, '--count', '1']).trim();
}

export async function api(path, options = {}) {
  const response = await fetch(`${BASE_URL}${path}`, {
    ...options,
    headers: { 'content-type': 'application/json', ...(options.headers ?? {}) },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** The server's test clock. */
export async function now() {
  return new Date((await api('/api/test-clock')).body.now);
}

export async function advance(seconds) {
  return (await api('/api/test-clock', { method: 'POST', body: JSON.stringify({ advance_seconds: seconds }) })).body;
}

/** Activates a plan through the API, as another client would. */
export async function activate(code, serial) {
  return api('/api/activations', {
    method: 'POST',
    body: JSON.stringify({ code, serial, customer: { name: 'Jan Kowalski', email: 'jan@example.pl' }, accept_terms: true }),
  });
}

/** A new staff account with `role`; returns its email and password. */
export function staffAccount(role) {
  counter += 1;
  const email = `${role}-${Date.now()}-${counter}@dji-ars.example`;
  const password = 'a long staff password';
  cli(['staff', 'add', email, '--role', role], `${password}\n`);
  return { email, password };
}

let reviewer;
async function reviewerCookie() {
  if (!reviewer) {
    const email = `reviewer-${Date.now()}@dji-ars.example`;
    cli(['staff', 'add', email, '--role', 'reviewer'], 'a long staff password\n');
    const login = await api('/api/staff/login', { method: 'POST', body: JSON.stringify({ email, password: 'a long staff password' }) });
    reviewer = login.headers.get('set-cookie').split(';')[0];
  }
  return reviewer;
}

/** Accepts a verification case as a reviewer, through the API. */
export async function accept(caseId) {
  await reviewerCookie();
  return api(`/api/staff/verifications/${caseId}/decision`, {
    method: 'POST',
    headers: { cookie: reviewer },
    body: JSON.stringify({ accept: true }),
  });
}

/** A real 20-second video of about `bytes` bytes on disk (a `free` box pads it). */
export function videoFile(bytes, name = `clip-${Date.now()}-${++counter}.mp4`) {
  return realVideo(20, Math.max(0, bytes - 41_000), name);
}

/** A real MP4 (H.264, made by ffmpeg) `seconds` long, followed by a `free` box of
 *  `padding` bytes (skipped by every reader), so its size can be chosen. */
export function realVideo(seconds, padding = 0, name = `real-${Date.now()}-${++counter}.mp4`) {
  const file = join(FILES, name);
  // Each length is encoded once per run; the padding makes each file its own.
  const base = join(FILES, `base-${seconds}s.mp4`);
  if (!existsSync(base)) {
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5',
      '-t', String(seconds), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', base]);
  }
  copyFileSync(base, file);
  if (padding > 0) {
    const box = Buffer.alloc(padding + 8);
    box.writeUInt32BE(padding + 8, 0);
    box.write('free', 4, 'ascii');
    for (let i = 8; i < box.length; i += 1) box[i] = (i * 2654435761) >>> 24;
    appendFileSync(file, box);
  }
  return file;
}

/** The bytes of a case's video, as a reviewer streams it. */
export async function reviewedVideo(caseId) {
  await reviewerCookie();
  const response = await fetch(`${BASE_URL}/api/staff/verifications/${caseId}/video`, { headers: { cookie: reviewer } });
  if (response.status !== 200) throw new Error(`video: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** A screenshot kept as a test artefact. */
export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A message the mail server refused on every attempt (20, hours apart, as the outbox
 *  leaves it), written into the server's SQLite database with python3's sqlite3: no
 *  browser test can wait out the backoff. */
export function undeliverableMail(to, subject, lastError) {
  const script = `
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10)
now = int(time.time())
db.execute("""INSERT INTO outbox (to_addr, subject, body, created_at, attempts, next_attempt_at, last_error)
              VALUES (?, ?, 'Dzień dobry,', ?, 20, 9223372036854775807, ?)""",
           (sys.argv[2], sys.argv[3], now, sys.argv[4]))
db.commit()
`;
  execFileSync('python3', ['-c', script, join(DATA, 'care.db'), to, subject, lastError]);
}

/** The bodies of the messages queued for `to` (any case), oldest first, read from the
 *  server's SQLite outbox with python3's sqlite3. */
export function mailTo(to) {
  const script = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
rows = db.execute("SELECT body FROM outbox WHERE lower(to_addr) = lower(?) ORDER BY id", (sys.argv[2],))
print(json.dumps([r[0] for r in rows]))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, join(DATA, 'care.db'), to], { encoding: 'utf8' }));
}
