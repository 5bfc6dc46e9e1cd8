// `quire worker` on the embedded SQLite store: it stays up while idle, takes a run that
// `quire submit` queued, and exits 0 on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { cliPath, makeWorkspace, removeWorkspace, runCli } from '../cli/helpers.js';

test('an idle worker on the embedded store stays up, runs what is submitted, stops on SIGTERM', async () => {
  const ws = makeWorkspace({ 'one.nb.md': '# One\n\n```ts\nconst x = 1;\n```\n' });
  const worker = spawn(process.execPath, [cliPath, 'worker'], {
    cwd: ws,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<number | null>((r) => worker.on('exit', (code) => r(code)));
  const gone = (when: string) =>
    exited.then((code) => {
      throw new Error(`the worker exited ${when} (${code}):\n${log}`);
    });
  const started = new Promise<void>((resolve) =>
    worker.stderr.on('data', () => log.includes('"msg":"worker started"') && resolve()),
  );
  try {
    // From 'worker started' on it waits for runs; it must still be there to run the one submitted
    // after (an idle worker on the embedded store once exited at once: nothing kept it alive).
    await Promise.race([started, gone('before it started')]);
    const submitted = await Promise.race([
      runCli(['submit', 'one.nb.md', '--wait'], { cwd: ws }),
      gone('while idle'),
    ]);
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.match(submitted.stdout, /^run-\S+ ok /);
    worker.kill('SIGTERM');
    assert.equal(await exited, 0, log);
    assert.match(log, /"msg":"worker stopped"/);
  } finally {
    worker.kill('SIGKILL');
    removeWorkspace(ws);
  }
});
