// Data for the contract run (schemathesis, `cargo xtask test`): real devices, a
// coverage, a verification case with an upload, a claim, and a session of each staff
// role, so that the fuzzer reaches real records as well as random ids. Writes the
// schemathesis config with those ids, and the staff cookies, to OUT_DIR.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activate, api, code, device, staffAccount } from './portal.mjs';

const out = process.env.OUT_DIR;
const covered = device('osmo-360', null);
const old = device('osmo-360', new Date(Date.now() - 200 * 24 * 3600 * 1000));
const sealed = device('rs-3', null);
const activated = await activate(code('osmo-360', 'annual'), covered);
if (activated.status !== 201) throw new Error(`activation: ${activated.status}`);

const opened = await api('/api/verifications', { method: 'POST', body: JSON.stringify({ serial: old, email: 'jan@example.pl' }) });
const caseId = opened.body.id;
const created = await fetch(`${process.env.BASE_URL}/api/uploads`, {
  method: 'POST',
  headers: {
    'tus-resumable': '1.0.0',
    'upload-length': '100000',
    'upload-metadata': `verification_id ${Buffer.from(caseId).toString('base64')}`,
  },
});
const uploadId = created.headers.get('location').split('/').pop();

const claim = await api('/api/claims', {
  method: 'POST',
  body: JSON.stringify({
    serial: covered, description: 'Dropped on rocks.', shipping_address: 'ul. Długa 1, 00-001 Warszawa',
    customer: { name: 'Jan Kowalski', email: 'jan@example.pl' },
  }),
});
const claimId = claim.body.id;

const cookies = {};
for (const role of ['reviewer', 'service']) {
  const { email, password } = staffAccount(role);
  const login = await api('/api/staff/login', { method: 'POST', body: JSON.stringify({ email, password }) });
  cookies[role] = login.headers.get('set-cookie').split(';')[0];
}

const list = (values) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
const config = `# Written by e2e/contract-seed.mjs for one run: real ids among the random ones.
[dictionaries.serials]
values = ${list([covered, old, sealed])}
[dictionaries.cases]
values = ${list([caseId])}
[dictionaries.claims]
values = ${list([claimId])}
[dictionaries.uploads]
values = ${list([uploadId])}

[[operations]]
include-path-regex = "\\\\{serial\\\\}"
parameters = { "path.serial" = { dictionary = "serials", probability = 0.7 } }

[[operations]]
include-path-regex = "^/api/(staff/)?verifications/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "cases", probability = 0.7 } }

[[operations]]
include-path-regex = "^/api/(staff/)?claims/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "claims", probability = 0.7 } }

[[operations]]
include-path-regex = "^/api/uploads/\\\\{id\\\\}"
parameters = { "path.id" = { dictionary = "uploads", probability = 0.7 } }
`;
writeFileSync(join(out, 'schemathesis.toml'), config);
writeFileSync(join(out, 'reviewer.cookie'), cookies.reviewer);
writeFileSync(join(out, 'service.cookie'), cookies.service);
console.log(`seeded: case ${caseId}, claim ${claimId}, upload ${uploadId}`);
