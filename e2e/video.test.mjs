// The video journey: the wizard sends an owner of an older device to a verification
// case, the video is uploaded (and survives a dropped connection and a reload), staff
// accept it through the API, and the plan is activated inside the 72 hours.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, pageErrors, BASE_URL } from './browser.mjs';
import { accept, advance, api, code, device, now, realVideo, shot, videoFile } from './portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
// No page may throw, log an error it did not expect, or break the Content Security Policy.
afterEach(() => assert.deepEqual(pageErrors(), []));

const DAY = 24 * 3600 * 1000;

/** Opens a case for `serial` from the video page; returns the case id. */
async function openCase(page, serial) {
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByLabel('E-mail').fill('jan@example.pl');
  await shot(page, 'video-1-open');
  await page.getByRole('button', { name: 'Załóż sprawę' }).click();
  await page.waitForURL(/\/verification\/[0-9a-f]{32}$/);
  await page.getByText('Czekamy na film.').waitFor();
  return page.url().split('/').pop();
}

/** Slows uploads down (so that there is time to interrupt them); the returned
 *  function takes the connection down or up. */
async function throttle(page, bytesPerSecond) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const conditions = (offline) => cdp.send('Network.emulateNetworkConditions', {
    offline, latency: 20, downloadThroughput: -1, uploadThroughput: bytesPerSecond,
  });
  await conditions(false);
  return conditions;
}

test('an older device: video, acceptance, activation within 72 hours', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', new Date((await now()).getTime() - 200 * DAY));
  await page.goto(`${BASE_URL}/activate`);
  await page.getByLabel('Kod z karty').fill(code('osmo-360', 'two-year'));
  await page.getByLabel('Pakiet 2-letni').check();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  await page.getByText(/najpierw potrzebny jest film weryfikacyjny/).waitFor();
  await shot(page, 'video-0-required');
  await page.getByRole('link', { name: 'Nagraj i prześlij film' }).click();
  await page.getByRole('heading', { name: 'Film musi pokazywać:' }).waitFor();
  assert.equal(await page.getByLabel('Numer seryjny urządzenia').inputValue(), serial);
  const caseId = await openCase(page, serial);

  await page.getByLabel('Plik wideo').setInputFiles(videoFile(3 * 1024 * 1024));
  await page.getByText(/Plik: clip-.*\.mp4/).waitFor();
  await page.getByRole('button', { name: 'Prześlij film' }).click();
  await page.getByText('Film czeka na ocenę. Sprawdzimy go najszybciej, jak to możliwe.').waitFor();
  await shot(page, 'video-2-sent');

  assert.equal((await accept(caseId)).status, 200);
  await page.reload();
  await page.getByText(/Film zaakceptowany\. Aktywuj plan do .* \(zostało (3 dni|2 dni 23 godz\.)\)/).waitFor();
  await shot(page, 'video-3-accepted');
  await advance(71 * 3600 + 59 * 60);
  await page.getByRole('link', { name: 'Aktywuj plan teraz' }).click();
  // The wizard kept the code typed before the video (the draft of this tab) and
  // brings the owner back to the device, with the case filled in.
  await page.waitForURL(/\/activate\/device$/);
  assert.equal(await page.getByLabel('Numer seryjny urządzenia').inputValue(), serial);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  assert.equal(await page.getByLabel('Numer sprawy filmu').inputValue(), caseId);
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Imię i nazwisko').fill('Jan Kowalski');
  await page.getByLabel('E-mail').fill('jan@example.pl');
  await page.getByLabel('Akceptuję regulamin DJI Care Refresh.').check();
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByRole('button', { name: 'Aktywuj plan' }).click();
  await page.getByRole('heading', { name: 'Plan aktywowany' }).waitFor();
  await page.getByText('Wykorzystano 0 z 4; pozostało: 4.').waitFor();
  await page.goto(`${BASE_URL}/verification/${caseId}`);
  await page.getByText('Film posłużył już do aktywacji planu.').waitFor();
  await page.goto(`${BASE_URL}/coverage/${serial}`);
  await page.getByText('Ochrona aktywna', { exact: true }).waitFor();
  await shot(page, 'coverage-after-video');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an upload cut by a dropped connection resumes by itself', async () => {
  const page = await phone(browser);
  page.expected.push(/ERR_INTERNET_DISCONNECTED/); // the connection this test cuts
  const serial = device('osmo-360', new Date((await now()).getTime() - 100 * DAY));
  await page.goto(`${BASE_URL}/verification?serial=${serial}`);
  const caseId = await openCase(page, serial);
  const network = await throttle(page, 2 * 1024 * 1024);
  await page.getByLabel('Plik wideo').setInputFiles(videoFile(12 * 1024 * 1024));
  await page.getByText(/Plik: clip-/).waitFor();
  await page.getByRole('button', { name: 'Prześlij film' }).click();
  await page.waitForFunction(() => /\((\d+)%\)/.test(document.querySelector('.progress p')?.textContent ?? '')
    && Number(document.querySelector('.progress p').textContent.match(/\((\d+)%\)/)[1]) >= 10);
  await network(true);
  // The chunk in flight stalls; the watchdog gives up on it after 20 s of silence.
  // The browser knows it is offline, and the page says so.
  await page.getByText('Brak połączenia z internetem. Wysyłanie wznowi się samo, gdy połączenie wróci.').waitFor({ timeout: 45_000 });
  await shot(page, 'upload-dropped');
  const kept = (await api(`/api/verifications/${caseId}`)).body.upload?.offset ?? 0;
  console.log(`bytes the server held when the connection dropped: ${kept}`);
  await network(false);
  await page.getByText('Film czeka na ocenę. Sprawdzimy go najszybciej, jak to możliwe.').waitFor({ timeout: 60_000 });
  assert.equal((await api(`/api/verifications/${caseId}`)).body.status, 'pending_review');
  await page.context().close();
});

test('after a reload the same file resumes where the upload stopped', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', new Date((await now()).getTime() - 100 * DAY));
  await page.goto(`${BASE_URL}/verification?serial=${serial}`);
  const caseId = await openCase(page, serial);
  await throttle(page, 2 * 1024 * 1024);
  const file = videoFile(20 * 1024 * 1024, `resume-${Date.now()}.mp4`);
  await page.getByLabel('Plik wideo').setInputFiles(file);
  await page.getByText(/Plik: resume-/).waitFor();
  await page.getByRole('button', { name: 'Prześlij film' }).click();
  await page.waitForFunction(() => Number((document.querySelector('.progress p')?.textContent ?? '').match(/\((\d+)%\)/)?.[1] ?? 0) >= 45);
  await page.getByRole('button', { name: 'Wstrzymaj' }).click();
  await page.getByText('Wstrzymano.').waitFor();
  const before = (await api(`/api/verifications/${caseId}`)).body.upload.offset;
  assert.ok(before >= 8 * 1024 * 1024, `${before}`);

  await page.reload();
  await page.getByText(/Przesyłanie pliku resume-.* zostało przerwane na \d+%\. Wybierz ten sam plik, aby je wznowić\./).waitFor();
  await shot(page, 'upload-reselect');
  await page.getByLabel('Plik wideo').setInputFiles(file);
  await page.getByText(/Plik: resume-/).waitFor();
  const created = [];
  const offsets = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/uploads')) created.push(r.url());
    if (r.method() === 'PATCH') offsets.push(Number(r.headers()['upload-offset']));
  });
  await page.getByRole('button', { name: 'Prześlij film' }).click();
  await page.getByText('Film czeka na ocenę. Sprawdzimy go najszybciej, jak to możliwe.').waitFor({ timeout: 60_000 });
  assert.ok(offsets[0] >= before, `resumed at ${offsets[0]}, not from the start (the server held ${before})`);
  assert.deepEqual(created, [], 'no new upload was created');
  await page.context().close();
});

test('a file that is not a video is refused in the browser', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', new Date((await now()).getTime() - 100 * DAY));
  await page.goto(`${BASE_URL}/verification?serial=${serial}`);
  await openCase(page, serial);
  await page.getByLabel('Plik wideo').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('not a video') });
  await page.getByText('To nie jest film MP4 ani MOV.').waitFor();
  // Nothing to send: the button appears only for a file that passed every check.
  assert.equal(await page.getByRole('button', { name: 'Prześlij film' }).count(), 0);
  await shot(page, 'video-wrong-file');
  await page.context().close();
});

test('a 5-second clip is refused in the browser, with its length', async () => {
  const page = await phone(browser);
  const serial = device('osmo-360', new Date((await now()).getTime() - 100 * DAY));
  await page.goto(`${BASE_URL}/verification?serial=${serial}`);
  await openCase(page, serial);
  await page.getByLabel('Plik wideo').setInputFiles(realVideo(5));
  await page.getByText('Film trwa krócej niż 15 sekund.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Prześlij film' }).count(), 0);
  await shot(page, 'video-too-short');
  await page.context().close();
});

test('the case number at the device step: required, checked, found in a pasted link', async () => {
  const page = await phone(browser);
  page.expected.push(/status of 404/); // a well-formed number of no case
  const serial = device('osmo-360', new Date((await now()).getTime() - 200 * DAY));
  const opened = await api('/api/verifications', { method: 'POST', body: JSON.stringify({ serial, email: 'jan@example.pl' }) });
  assert.equal(opened.status, 201);
  await page.goto(`${BASE_URL}/activate`);
  await page.getByLabel('Kod z karty').fill(code('osmo-360', 'annual'));
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByLabel('Numer seryjny urządzenia').fill(serial);
  await page.getByRole('button', { name: 'Sprawdź urządzenie' }).click();
  const field = page.getByLabel('Numer sprawy filmu');
  await field.waitFor();
  // Next with nothing typed says what is missing, next to the field.
  await page.getByRole('button', { name: 'Dalej' }).click();
  await page.getByText('Podaj numer sprawy z zaakceptowanym filmem.').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  await field.fill('abc');
  await page.getByText(/Numer sprawy ma 32 znaki/).waitFor();
  // The whole link from the email is taken, and the case's state is shown.
  await field.fill(`${BASE_URL}/verification/${opened.body.id}`);
  await page.getByText('Ten film nie został jeszcze zaakceptowany. Wróć, gdy będzie: napiszemy e-mail.').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'false');
  await shot(page, 'case-number-pending');
  await page.context().close();
});
