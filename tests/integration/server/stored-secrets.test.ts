/**
 * The server reads the encrypted secret store by default (dist/: `npm run build` first): the
 * editor's Run all and a queued run find a stored secret and record it `[REDACTED]`, and a secret
 * stored while the server runs reaches an open editor session (the server reloads the store).
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { RunRecord } from '../../../src/runner/record.js';
import { loadRecord } from '../../../src/runner/stored-run.js';
import { keyFilePath, MasterKeys } from '../../../src/secrets/master-key.js';
import { SecretStore } from '../../../src/secrets/store.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import type { StoredRun } from '../../../src/store/types.js';
import { makeWorkspace, removeWorkspace, sleep } from './helpers.js';
import { login, TestClient } from './ws-client.js';

const VALUE = 'sk-server-stored-4c1d9e7a';
const LATER = 'sk-set-while-serving-8b2f';

const notebook = (name: string) => `# Uses ${name}

\`\`\`ts name=use
const v = secrets.get('${name}');
console.log('value', v, btoa(v));
\`\`\`
`;

let dir: string;
let server: RunningServer;
let cookie: string;

before(async () => {
  dir = makeWorkspace({
    'stored.nb.md': notebook('STORED_TOKEN'),
    'later.nb.md': notebook('LATER_TOKEN'),
    'broken.nb.md': notebook('BROKEN_TOKEN'),
  });
  chmodSync(dir, 0o755);
  const store = await openStore({ workspace: dir });
  await new SecretStore(store.db, new MasterKeys({ file: keyFilePath(dir), env: {} })).set(
    'STORED_TOKEN',
    VALUE,
  );
  await store.close();
  server = await startServer({ workspace: dir, port: 0 });
  cookie = await login(server);
});

after(async () => {
  await server.close();
  removeWorkspace(dir);
});

// runRecorded comes when the run starts (running) and when its record is stored
const recorded = (n: Record<string, unknown>) => n.type === 'runRecorded' && n.status !== 'running';

async function runAll(path: string): Promise<{ status: string; record: RunRecord }> {
  const client = await TestClient.connect(server, cookie);
  try {
    await client.request({ type: 'open', path });
    const mark = client.mark();
    client.send({ type: 'runAll' });
    const done = (await client.until(recorded, { after: mark })) as { runId: string; status: string };
    const run = await server.store.get(done.runId);
    return { status: done.status, record: (await loadRecord(server.store, run!))! };
  } finally {
    await client.close();
  }
}

function assertRedacted(record: RunRecord, name: string): void {
  const text = JSON.stringify(record);
  assert.ok(text.includes('value [REDACTED] [REDACTED]'), text);
  for (const value of [VALUE, LATER, btoa(VALUE), btoa(LATER)]) assert.ok(!text.includes(value));
  assert.deepEqual(record.secrets, [name]);
}

test("the editor's Run all reads a stored secret and records it redacted", async () => {
  const { status, record } = await runAll('stored.nb.md');
  assert.equal(status, 'ok', JSON.stringify(record.cells[0]?.error));
  assertRedacted(record, 'STORED_TOKEN');
});

test('a queued run reads a stored secret', async () => {
  const run = await server.jobs!.jobs.service.submit({
    path: 'stored.nb.md',
    source: notebook('STORED_TOKEN'),
    trigger: 'api',
    params: {},
  });
  let final: StoredRun | undefined;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(100)) {
    final = await server.store.get(run!.id);
    if (final && !['queued', 'running'].includes(final.status)) break;
  }
  assert.equal(final?.status, 'ok', final?.error);
  assertRedacted((await loadRecord(server.store, final))!, 'STORED_TOKEN');
});

test('a secret stored while the server runs reaches the next run of an open editor', async () => {
  const first = await runAll('later.nb.md');
  assert.equal(first.status, 'error');
  assert.match(first.record.cells[0]?.error?.message ?? '', /secret "LATER_TOKEN" is not set/);
  await new SecretStore(server.store.db, new MasterKeys({ file: keyFilePath(dir), env: {} })).set(
    'LATER_TOKEN',
    LATER,
  );
  // The cell fetches its secret from the store as it starts: the very next run finds it.
  const result = await runAll('later.nb.md');
  assert.equal(result.status, 'ok', JSON.stringify(result.record.cells[0]?.error));
  assertRedacted(result.record, 'LATER_TOKEN');
});

test('a stored value that does not decrypt fails its cell with the reason, and the run is still recorded', async () => {
  const secrets = new SecretStore(server.store.db, new MasterKeys({ file: keyFilePath(dir), env: {} }));
  await secrets.set('BROKEN_TOKEN', 'will-be-tampered-value');
  await server.store.db.run('UPDATE secrets SET nonce = ? WHERE name = ?', [
    Buffer.alloc(12, 9).toString('base64'),
    'BROKEN_TOKEN',
  ]);
  const result = await runAll('broken.nb.md');
  const reason = () => result.record.cells[0]?.error?.message ?? '';
  assert.equal(result.status, 'error');
  assert.match(
    reason(),
    /^secret "BROKEN_TOKEN" is not set \(.*which cannot give it: the secret "BROKEN_TOKEN" cannot be decrypted/,
  );
  assert.deepEqual(result.record.secrets ?? [], [], 'a secret that was not read is not listed');
});
