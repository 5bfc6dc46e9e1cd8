/**
 * `quire sweep` and `quire rerun` record each stored secret a cell is given as `secret.read` in the
 * store's audit log, as `quire run` does (one trail, src/cli/audit-trail.ts): one entry per run,
 * cell and name — a cell that reads the name twice is one read — via `cli`, from the `store`, never
 * with the value; and the chain verifies. Real CLI processes (dist/: `npm run build` first), real
 * kernels, the embedded SQLite store.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeWorkspace, removeWorkspace, runCli } from './helpers.js';

const VALUE = 'sk-sweep-5d1e9b27c04a83f6';

const NOTEBOOK = `---
params:
  n: { type: integer, default: 1 }
---

# Reads a stored secret

\`\`\`ts name=first
const a = secrets.get('API_KEY');
const again = secrets.get('API_KEY');
console.log(a.length * n, again.length);
\`\`\`

\`\`\`ts name=second
const b = secrets.get('API_KEY');
console.log(b.length);
\`\`\`

\`\`\`ts name=none
const plain = n + 1;
\`\`\`
`;

interface Entry {
  event: string;
  via: string;
  user: string | null;
  resource: { kind: string; id?: string; path?: string };
  detail: { name: string; cellId: string; origin: string; runId: string; osUser?: string | null };
}

let dir: string;

before(async () => {
  dir = makeWorkspace({ 'reads.nb.md': NOTEBOOK });
  const set = await runCli(['secrets', 'set', 'API_KEY'], { cwd: dir, input: VALUE });
  assert.equal(set.code, 0, set.stderr);
});
after(() => removeWorkspace(dir));

/** The `secret.read` entries through `quire audit --json`, after checking no output holds the value. */
async function reads(): Promise<Entry[]> {
  const audit = await runCli(['audit', '--event', 'secret.read', '--limit', '1000', '--json'], { cwd: dir });
  assert.equal(audit.code, 0, audit.stderr);
  assert.ok(!audit.stdout.includes(VALUE), "no entry holds the secret's value");
  const verify = await runCli(['audit', 'verify'], { cwd: dir });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.ok(!readFileSync(join(dir, '.quire', 'quire.db')).includes(VALUE), 'the database never holds it');
  return JSON.parse(audit.stdout) as Entry[];
}

/** Each run's reads as `cellId name` pairs, sorted; every entry checked to be a cli read from the store. */
function byRun(entries: Entry[], runIds: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const e of entries) {
    if (!runIds.includes(e.detail.runId)) continue;
    assert.equal(e.via, 'cli');
    assert.equal(e.user, null);
    assert.equal(e.detail.origin, 'store');
    assert.deepEqual(e.resource, { kind: 'run', id: e.detail.runId, path: 'reads.nb.md' });
    found.set(e.detail.runId, [...(found.get(e.detail.runId) ?? []), `${e.detail.cellId} ${e.detail.name}`]);
  }
  for (const list of found.values()) list.sort();
  return found;
}

test('quire sweep: one secret.read per run, cell and name', { timeout: 180_000 }, async () => {
  const sweep = await runCli(['sweep', 'reads.nb.md', '-p', 'n=1,2,3', '--parallel', '2', '--json'], {
    cwd: dir,
  });
  assert.equal(sweep.code, 0, sweep.stderr);
  assert.ok(!(sweep.stdout + sweep.stderr).includes(VALUE));
  const runIds = (JSON.parse(sweep.stdout) as { runs: { id: string }[] }).runs.map((r) => r.id);
  assert.equal(runIds.length, 3);
  const found = byRun(await reads(), runIds);
  assert.deepEqual(
    runIds.map((id) => found.get(id)),
    runIds.map(() => ['first API_KEY', 'second API_KEY']),
  );
});

test('quire rerun: the rerun reads are its own, like a run’s', { timeout: 120_000 }, async () => {
  const run = await runCli(['run', 'reads.nb.md', '--json'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const original = run.record!.id;
  const rerun = await runCli(['rerun', original, '--json'], { cwd: dir });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.ok(!(rerun.stdout + rerun.stderr).includes(VALUE));
  const rerunId = (JSON.parse(rerun.stdout) as { rerun: string }).rerun;
  assert.notEqual(rerunId, original);
  const found = byRun(await reads(), [original, rerunId]);
  assert.deepEqual(found.get(original), ['first API_KEY', 'second API_KEY']);
  assert.deepEqual(found.get(rerunId), ['first API_KEY', 'second API_KEY']);
});
