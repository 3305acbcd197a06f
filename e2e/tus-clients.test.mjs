// tus as third-party clients speak it: tus-js-client in Node, sending its first chunk
// with the creation request, killed midway and resumed from the URL it stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_URL } from './browser.mjs';
import { api, device, realVideo, reviewedVideo } from './portal.mjs';

const CLIENT = join(import.meta.dirname, 'tus-upload.mjs');

/** Runs the client; `until(event)` returning true kills it (SIGKILL) there. */
function runClient(args, until = () => false) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLIENT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const events = [];
    let buffer = '';
    child.stdout.on('data', (data) => {
      buffer += data;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        const event = JSON.parse(line);
        events.push(event);
        if (until(event)) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => resolve({ code, signal, events }));
  });
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('tus-js-client creates with data, is killed midway, resumes from its stored URL', async () => {
  const serial = device('osmo-360', new Date(Date.now() - 200 * 24 * 3600 * 1000));
  const opened = await api('/api/verifications', { method: 'POST', body: JSON.stringify({ serial, email: 'jan@example.pl' }) });
  assert.equal(opened.status, 201);
  const caseId = opened.body.id;
  const file = realVideo(20, 12 * 1024 * 1024, `tus-js-${Date.now()}.mp4`);
  const size = statSync(file).size;
  const storage = `${file}.urls.json`;
  const endpoint = `${BASE_URL}/api/uploads/`;

  const first = await runClient([endpoint, file, storage, caseId], (e) => e.progress > size / 4);
  assert.equal(first.signal, 'SIGKILL', 'the client was killed before it finished');
  const upload = api(`/api/verifications/${caseId}`);
  const midway = (await upload).body.upload;
  assert.ok(midway && midway.offset > 0 && midway.offset < size, `midway at ${midway?.offset} of ${size}`);

  const second = await runClient([endpoint, file, storage, caseId, 'resume']);
  assert.equal(second.code, 0, JSON.stringify(second.events.slice(-3)));
  const resumed = second.events.find((e) => e.resuming);
  assert.ok(resumed, 'the second run resumed the stored upload');
  assert.ok(second.events.some((e) => e.done), 'the upload finished');
  // It went on from where the server was, not from the start.
  const firstProgress = second.events.find((e) => e.progress !== undefined);
  assert.ok(firstProgress.progress >= midway.offset - 256 * 1024, `restarted at ${firstProgress.progress}`);

  const status = await api(`/api/verifications/${caseId}`);
  assert.equal(status.body.status, 'pending_review');
  assert.equal(sha256(await reviewedVideo(caseId)), sha256(readFileSync(file)), 'the stored video is the file');
});
