/**
 * `quire serve --accounts` as a real process (bin/quire.js runs dist/: `npm run build` first), on
 * a store without users: it prints a one-time setup URL instead of a login token, and that URL
 * creates the first admin. A bad `auth.oidc` in quire.config.json stops it with one line naming
 * the field (exit 2).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cliPath } from '../cli/helpers.js';
import { makeWorkspace, removeWorkspace, waitFor } from './helpers.js';

const dir = makeWorkspace({ 'n.nb.md': '# N\n' });
after(() => removeWorkspace(dir));

test('quire serve --accounts without users prints a setup URL that creates the first admin', async () => {
  const child = spawn(process.execPath, [cliPath, 'serve', dir, '--port', '0', '--accounts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor(() => /Ctrl-C to stop/.test(out), 15_000);
    const setupUrl = /http:\/\/127\.0\.0\.1:\d+\/setup\?token=[A-Za-z0-9_-]{43}/.exec(out)?.[0];
    assert.ok(setupUrl, out);
    assert.doesNotMatch(out, /\/login\?token=/);
    assert.match(out, /create the first admin/);
    const origin = new URL(setupUrl).origin;
    const created = await fetch(`${origin}/setup`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({
        token: new URL(setupUrl).searchParams.get('token')!,
        name: 'ada',
        password: 'correct horse battery',
      }).toString(),
    });
    assert.equal(created.status, 302);
    assert.equal((await fetch(setupUrl)).status, 410);
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});

test('a bad auth.oidc stops quire serve with one line naming the field', () => {
  const bad = makeWorkspace({
    'quire.config.json': JSON.stringify({
      auth: {
        oidc: {
          issuer: 'https://idp.example.org',
          clientId: 'quire',
          clientSecretEnv: 'X',
          roleMap: { a: 'owner' },
        },
      },
    }),
  });
  try {
    const result = spawnSync(process.execPath, [cliPath, 'serve', bad, '--port', '0'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /auth\.oidc\.roleMap\.a/);
    const unset = makeWorkspace({
      'quire.config.json': JSON.stringify({
        auth: {
          oidc: {
            issuer: 'https://idp.example.org',
            clientId: 'quire',
            clientSecretEnv: 'QUIRE_TEST_UNSET_SECRET',
            defaultRole: 'viewer',
          },
        },
      }),
    });
    writeFileSync(join(unset, 'n.nb.md'), '# N\n');
    const second = spawnSync(process.execPath, [cliPath, 'serve', unset, '--port', '0'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    removeWorkspace(unset);
    assert.equal(second.status, 2, second.stderr);
    assert.match(
      second.stderr,
      /auth\.oidc\.clientSecretEnv names QUIRE_TEST_UNSET_SECRET, which is not set/,
    );
  } finally {
    removeWorkspace(bad);
  }
});
