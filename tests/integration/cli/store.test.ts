// `quire run` records every run in the run store; `quire runs`, `quire show` and `quire rerun`
// read it back. Real CLI processes against the embedded SQLite store and a fresh PostgreSQL
// database; a CLI killed with SIGKILL mid-run.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StoredRun } from '../../../src/store/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { makeWorkspace, removeWorkspace, runCli, sleep } from './helpers.js';

const NOTEBOOK = `---
title: Store test
params:
  n: { type: integer, default: 3 }
---

# Numbers up to \${n}

\`\`\`ts name=numbers
const numbers = Array.from({ length: n }, (_, i) => ({ i, square: i * i }));
\`\`\`

\`\`\`sql name=total
select sum(square) as total from numbers
\`\`\`

\`\`\`ts
display(total.rows[0]);
\`\`\`
`;

const RANDOM = '# Random\n\n```ts\nMath.random()\n```\n';
const SLEEPER = '# Sleeper\n\n```ts\nawait new Promise((r) => setTimeout(r, 30_000));\n```\n';

let ws: string;
before(() => {
  ws = makeWorkspace({ 'numbers.nb.md': NOTEBOOK, 'random.nb.md': RANDOM, 'sleeper.nb.md': SLEEPER });
});
after(() => removeWorkspace(ws));

async function runsJson(args: string[] = [], env: Record<string, string> = {}): Promise<StoredRun[]> {
  const r = await runCli(['runs', '--json', ...args], { cwd: ws, env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StoredRun[];
}

describe('quire run records into the embedded store', () => {
  test('the record `quire show --json` returns is the one `quire run --json` printed', async () => {
    const r = await runCli(['run', 'numbers.nb.md', '-p', 'n=4', '--json'], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(ws, '.quire', 'quire.db')), 'the store lives under .quire/');
    const [run] = await runsJson(['numbers.nb.md']);
    assert.equal(run?.id, r.record?.id);
    assert.equal(run?.status, 'ok');
    assert.equal(run?.trigger, 'cli');
    assert.deepEqual(run?.params, { n: 4 });
    assert.equal(run?.title, 'Store test');
    const shown = await runCli(['show', run!.id.slice(-6), '--json'], { cwd: ws });
    assert.equal(shown.code, 0, shown.stderr);
    const { record, artifacts } = JSON.parse(shown.stdout) as {
      record: unknown;
      artifacts: { name: string }[];
    };
    assert.deepEqual(record, r.record);
    assert.ok(artifacts.some((a) => a.name === 'source.nb.md'));
    assert.ok(artifacts.some((a) => a.name === 'record.json'));
    const text = await runCli(['show', run!.id], { cwd: ws });
    assert.match(text.stdout, /total\s+sql\s+ok/);
    const report = join(ws, 'report-copy.html');
    const written = await runCli(['show', run!.id, '--report', report], { cwd: ws });
    assert.equal(written.code, 0, written.stderr);
    assert.ok(existsSync(report));
  });

  test('a rerun runs the stored source, not the file as it is now, and the outputs match', async () => {
    const first = await runCli(['run', 'numbers.nb.md', '--json'], { cwd: ws });
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(join(ws, 'numbers.nb.md'), NOTEBOOK.replace('i * i', 'i * i * i'));
    try {
      const rerun = await runCli(['rerun', first.record!.id], { cwd: ws });
      assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
      assert.match(rerun.stdout, /outputs match in all 4 cells/);
      assert.match(rerun.stdout, /runtime: no drift/);
      const [latest] = await runsJson(['numbers.nb.md', '--limit', '1']);
      assert.equal(latest?.trigger, 'rerun');
      assert.equal(latest?.rerunOf, first.record!.id);
      assert.equal(latest?.sha256, first.record!.notebook.sha256);
    } finally {
      writeFileSync(join(ws, 'numbers.nb.md'), NOTEBOOK);
    }
  });

  test('a rerun whose output differs says which cell and exits 1', async () => {
    const first = await runCli(['run', 'random.nb.md', '--json'], { cwd: ws });
    assert.equal(first.code, 0, first.stderr);
    const rerun = await runCli(['rerun', first.record!.id, '--json'], { cwd: ws });
    assert.equal(rerun.code, 1);
    const answer = JSON.parse(rerun.stdout) as {
      comparison: { outputsMatch: boolean; differences: unknown[] };
    };
    assert.equal(answer.comparison.outputsMatch, false);
    assert.deepEqual(answer.comparison.differences, [
      { id: 'cell-2', what: 'output 1 (text/plain) differs' },
    ]);
  });

  test('a CLI killed with SIGKILL mid-run is not left running: the next command marks it lost', async () => {
    let pid: number | undefined;
    const killed = runCli(['run', 'sleeper.nb.md'], { cwd: ws, onSpawn: (child) => (pid = child.pid) });
    let running: StoredRun | undefined;
    for (const deadline = Date.now() + 20_000; !running && Date.now() < deadline; await sleep(100)) {
      const r = await runCli(['runs', '--json', 'sleeper.nb.md'], { cwd: ws });
      const runs = r.code === 0 ? (JSON.parse(r.stdout) as StoredRun[]) : [];
      if (runs[0]?.status === 'running') running = runs[0];
    }
    assert.ok(running, 'the run is listed as running while it runs');
    await sleep(200);
    process.kill(pid!, 'SIGKILL');
    await killed;
    const [after] = await runsJson(['sleeper.nb.md']);
    assert.equal(after?.id, running.id);
    assert.equal(after?.status, 'error');
    assert.match(after?.error ?? '', /attempt 1 lost: cli@.+ is gone/);
  });

  test('bad input: an unknown run, an ambiguous prefix, a bad --db', async () => {
    const unknown = await runCli(['show', 'no-such-run'], { cwd: ws });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no run "no-such-run"/);
    const ambiguous = await runCli(['show', 'run-'], { cwd: ws });
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /matches several runs/);
    const badDb = await runCli(['run', 'numbers.nb.md', '--db', 'mysql://x'], { cwd: ws });
    assert.equal(badDb.code, 2);
    assert.match(badDb.stderr, /--db/);
  });

  test('a store that cannot be written does not change the exit code; it is reported', async () => {
    const r = await runCli(['run', 'numbers.nb.md', '--db', 'sqlite:/proc/no/such/place.db'], { cwd: ws });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /not recorded in the run store/);
  });
});

describe('quire run --db postgres://…', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  test('records into PostgreSQL; QUIRE_DB works like --db', async () => {
    const r = await runCli(['run', 'numbers.nb.md', '--db', database.url, '--json'], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    const runs = await runsJson([], { QUIRE_DB: database.url });
    assert.deepEqual(
      runs.map((run) => run.id),
      [r.record!.id],
    );
    const shown = await runCli(['show', r.record!.id, '--json'], {
      cwd: ws,
      env: { QUIRE_DB: database.url },
    });
    assert.deepEqual((JSON.parse(shown.stdout) as { record: unknown }).record, r.record);
  });
});
