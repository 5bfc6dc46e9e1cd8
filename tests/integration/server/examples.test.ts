/**
 * `quire serve examples` from the checkout, as the README says, then Run all on every example:
 * every cell ok (the datasets are inside the served folder, examples/data/). And what a server
 * prints at start: the workspace and the run store it uses, whatever `.quire/` or project marker
 * lies above the folder (bin/quire.js runs dist/: `npm run build` first).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../src/server/server.js';
import { ensureExampleData, repoRoot } from '../../support/example-data.js';
import { cliPath } from '../cli/helpers.js';
import { makeWorkspace, removeWorkspace, waitFor } from './helpers.js';
import { TestClient } from './ws-client.js';

interface Served {
  child: ChildProcess;
  stdout: string;
  url: string;
  loginUrl: string;
  stop(): Promise<number | null>;
}

/** `quire serve ARGS --port 0` in `cwd`, once it printed its login URL. */
async function serve(args: string[], cwd: string): Promise<Served> {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args, '--port', '0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor(() => /Ctrl-C to stop/.test(stdout) || child.exitCode !== null, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const loginUrl = /http:\/\/127\.0\.0\.1:\d+\/login\?token=\S+/.exec(stdout)?.[0];
  assert.ok(loginUrl, `no login URL; stdout: ${stdout}; stderr: ${stderr}`);
  return {
    child,
    stdout,
    url: new URL(loginUrl).origin,
    loginUrl,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const folders: string[] = [];
after(() => folders.forEach(removeWorkspace));

describe('quire serve examples', () => {
  before(ensureExampleData);

  test('prints the workspace and store, and Run all runs every example clean', async () => {
    const served = await serve(['examples'], repoRoot);
    try {
      const examples = join(repoRoot, 'examples');
      assert.match(served.stdout, new RegExp(`^  workspace  ${examples} `, 'm'));
      assert.match(served.stdout, new RegExp(`^  run store  ${join(examples, '.quire', 'quire.db')}$`, 'm'));
      assert.doesNotMatch(served.stdout, /note:/, 'quire run agrees on the workspace');

      const cookie = (await fetch(served.loginUrl, { redirect: 'manual' })).headers.get('set-cookie');
      const server = { url: served.url } as RunningServer;
      const names = readdirSync(examples).filter((name) => name.endsWith('.nb.md'));
      assert.ok(names.length >= 3, names.join(', '));
      for (const name of names) {
        const client = await TestClient.connect(server, cookie!.split(';')[0]!);
        try {
          const snapshot = await client.request({ type: 'open', path: name });
          assert.equal(snapshot.type, 'snapshot', JSON.stringify(snapshot).slice(0, 300));
          const start = client.mark();
          client.send({ type: 'runAll' });
          const done = await client.until((n) => n.type === 'runRecorded' && n.status !== 'running', {
            after: start,
            ms: 120_000,
          });
          const statuses = new Map<string, unknown>();
          for (const n of client.received.slice(start))
            if (n.type === 'cellStatus') statuses.set(String(n.cellId), n.status);
          const notOk = [...statuses].filter(([, status]) => status !== 'ok');
          const errors = client.received
            .slice(start)
            .filter((n) => n.type === 'cellOutput' && JSON.stringify(n).includes('error'));
          assert.deepEqual(notOk, [], `${name}: ${JSON.stringify(errors).slice(0, 1000)}`);
          assert.equal(done.status, 'ok', name);
        } finally {
          await client.close();
        }
      }
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });

  test('a stray .quire/ above the served folder changes nothing; a project marker is named', async () => {
    const parent = makeWorkspace({ 'proj/n.nb.md': '```ts\n1\n```\n' });
    folders.push(parent);
    mkdirSync(join(parent, '.quire'));
    const proj = join(parent, 'proj');
    let served = await serve(['proj'], parent);
    try {
      assert.match(served.stdout, new RegExp(`^Quire is serving ${proj}$`, 'm'));
      assert.match(served.stdout, new RegExp(`^  workspace  ${proj} `, 'm'));
      assert.match(served.stdout, new RegExp(`^  run store  ${join(proj, '.quire', 'quire.db')}$`, 'm'));
      assert.doesNotMatch(served.stdout, /note:/);
    } finally {
      assert.equal(await served.stop(), 0);
    }

    // A package.json above: `quire run` would file these notebooks' runs there, and the server says so.
    writeFileSync(join(parent, 'package.json'), '{}\n');
    served = await serve(['proj'], parent);
    try {
      assert.match(served.stdout, new RegExp(`^  workspace  ${proj} `, 'm'));
      assert.match(
        served.stdout,
        new RegExp(`note: \`quire run\` takes ${parent} \\(it holds package\\.json\\)`),
      );
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });
});
