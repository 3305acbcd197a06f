// One run of tus-js-client in Node, as a third-party client uploads: creation with the
// first chunk in the POST (uploadDataDuringCreation), small chunks, the upload's URL
// kept in a file (FileUrlStorage) so a later run resumes it. Prints one JSON line per
// event; `resume` resumes the stored upload instead of starting one.
//   node e2e/tus-upload.mjs ENDPOINT FILE STORAGE CASE_ID [resume]
import { createReadStream } from 'node:fs';
import * as tus from 'tus-js-client';

const [endpoint, file, storage, caseId, mode] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const upload = new tus.Upload(createReadStream(file), {
  endpoint,
  chunkSize: 256 * 1024,
  uploadDataDuringCreation: true,
  metadata: { verification_id: caseId, filename: 'clip.mp4', filetype: 'video/mp4' },
  urlStorage: new tus.FileUrlStorage(storage),
  retryDelays: [0, 200, 500],
  onProgress: (sent, total) => say({ progress: sent, total }),
  onSuccess: () => say({ done: upload.url }),
  onError: (error) => { say({ error: String(error) }); process.exit(1); },
});

if (mode === 'resume') {
  const previous = await upload.findPreviousUploads();
  if (previous.length === 0) { say({ error: 'nothing stored to resume' }); process.exit(1); }
  say({ resuming: previous[0].uploadUrl });
  upload.resumeFromPreviousUpload(previous[0]);
}
upload.start();
