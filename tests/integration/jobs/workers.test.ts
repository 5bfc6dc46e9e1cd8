// Scale-out with real processes: `quire worker` processes on one fresh PostgreSQL database take
// runs queued by `quire submit`; a worker killed with SIGKILL mid-run has its run retried once by
// another worker and recorded once; SIGTERM hands a running run back; a cap of 4 holds under 100
// runs queued at once (embedded store).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import type { StoredRun } from '../../../src/store/types.js';
import pg from 'pg';
import { adminUrl, createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { cliPath, makeWorkspace, removeWorkspace, runCli, sleep } from '../cli/helpers.js';

const QUICK = '# Quick\n\n```ts\nconst x = 21 * 2;\n```\n';
const SLOW = '# Slow\n\n```ts\nawait new Promise((r) => setTimeout(r, 2500));\nconst done = true;\n```\n';

interface Worker {
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
}

function startWorker(ws: string, args: string[]): Worker {
  const child = spawn(process.execPath, [cliPath, 'worker', ...args], {
    cwd: ws,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  child
    .stderr!.setEncoding('utf8')
    .on('data', (chunk: string) => log.push(...chunk.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, log, exited };
}

async function waitForRun(
  store: RunStore,
  id: string,
  done: (run: StoredRun) => boolean,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await store.get(id);
    if (run && done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} stayed ${run?.status}`);
    await sleep(50);
  }
}

const isFinal = (run: StoredRun) => !['queued', 'running'].includes(run.status);

describe('workers on PostgreSQL', () => {
  let database: TestDatabase;
  let ws: string;
  let store: RunStore;
  const workers: Worker[] = [];

  before(async () => {
    database = await createTestDatabase();
    ws = makeWorkspace({ 'quick.nb.md': QUICK, 'slow.nb.md': SLOW });
    store = await openStore({ workspace: ws, url: database.url });
  });
  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await store.close();
    await database.drop();
    removeWorkspace(ws);
  });

  test('two workers share runs submitted with quire submit; each run ends ok once', async () => {
    workers.push(startWorker(ws, ['--db', database.url, '--concurrency', '2', '--lease', '2s']));
    workers.push(startWorker(ws, ['--db', database.url, '--concurrency', '2', '--lease', '2s']));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await runCli(['submit', 'quick.nb.md', '--db', database.url], { cwd: ws });
      assert.equal(r.code, 0, r.stderr);
      ids.push(r.stdout.trim());
    }
    for (const id of ids) {
      const run = await waitForRun(store, id, isFinal);
      assert.equal(run.status, 'ok', run.error);
      assert.equal(run.attempt, 1);
      assert.equal(run.trigger, 'submit');
    }
    const byWorker = new Set((await Promise.all(ids.map((id) => store.get(id)))).map((r) => r!.worker));
    assert.ok(byWorker.size >= 1);
    // --wait follows a run to its end
    const waited = await runCli(['submit', 'quick.nb.md', '--db', database.url, '--wait'], { cwd: ws });
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, / ok /);
  });

  test('kill -9 of the worker running a run: retried once by the other, recorded once as ok', async () => {
    const r = await runCli(['submit', 'slow.nb.md', '--db', database.url], { cwd: ws });
    const id = r.stdout.trim();
    const running = await waitForRun(store, id, (run) => run.status === 'running');
    const pid = Number(/:(\d+)$/.exec(running.worker!)![1]);
    const victim = workers.find((w) => w.child.pid === pid);
    assert.ok(victim, `the run's worker ${running.worker} is one of ours`);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const final = await waitForRun(store, id, isFinal);
    assert.equal(final.status, 'ok', final.error);
    assert.equal(final.attempt, 2);
    assert.notEqual(final.worker, running.worker);
    const attempts = await store.attempts(id);
    assert.deepEqual(
      attempts.map((a) => a.status),
      ['lost', 'ok'],
    );
    assert.equal(
      (await store.artifacts(id)).filter((a) => a.name === 'record.json').length,
      1,
      'one final record',
    );
    workers.splice(workers.indexOf(victim), 1);
  });

  test('SIGTERM: the worker stops taking runs, hands its running run back, and exits 0', async () => {
    for (const idle of workers.splice(0)) {
      idle.child.kill('SIGTERM');
      assert.equal(await idle.exited, 0, idle.log.join('\n'));
    }
    const leaving = startWorker(ws, ['--db', database.url, '--lease', '2s', '--grace', '200ms']);
    workers.push(leaving);
    const r = await runCli(['submit', 'slow.nb.md', '--db', database.url], { cwd: ws });
    const id = r.stdout.trim();
    await waitForRun(store, id, (run) => run.status === 'running');
    // a grace shorter than the cell: the run is handed back, not finished
    leaving.child.kill('SIGTERM');
    assert.equal(await leaving.exited, 0, leaving.log.join('\n'));
    const released = await store.get(id);
    assert.equal(released?.status, 'queued', 'handed back to the queue');
    assert.deepEqual(
      (await store.attempts(id)).map((a) => a.status),
      ['released'],
    );
    // another worker takes it from the start
    workers.push(startWorker(ws, ['--db', database.url, '--lease', '2s']));
    const final = await waitForRun(store, id, isFinal);
    assert.equal(final.status, 'ok', final.error);
    assert.equal(final.attempt, 2);
  });

  test('the database goes away mid-run and comes back: the worker reconnects, nothing is lost', async () => {
    // A restart as clients see it, confined to this test's own database (other suites share the
    // server): every connection is cut and new ones are refused for 3 s.
    for (const idle of workers.splice(0)) idle.child.kill('SIGKILL');
    const steady = startWorker(ws, ['--db', database.url, '--lease', '15s', '--concurrency', '2']);
    workers.push(steady);
    const r = await runCli(['submit', 'slow.nb.md', '--db', database.url], { cwd: ws });
    const id = r.stdout.trim();
    await waitForRun(store, id, (run) => run.status === 'running');
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        database.name,
      ]);
      await sleep(3000);
    } finally {
      await admin.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const final = await waitForRun(store, id, isFinal).catch((error: Error) => {
      throw new Error(`${error.message}\nworker log:\n${steady.log.join('\n')}`);
    });
    assert.equal(final.status, 'ok', final.error);
    assert.equal((await store.artifacts(id)).filter((a) => a.name === 'record.json').length, 1);
    // the worker is still there and takes new runs
    assert.equal(steady.child.exitCode, null, steady.log.join('\n'));
    const next = await runCli(['submit', 'quick.nb.md', '--db', database.url, '--wait'], { cwd: ws });
    assert.equal(next.code, 0, next.stderr + steady.log.join('\n'));
  });
});
