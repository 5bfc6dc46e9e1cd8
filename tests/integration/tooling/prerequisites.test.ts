/**
 * `npm test` on a machine without Chromium or without the PostgreSQL server: scripts/test.mjs
 * stops before running anything, with one line saying what to install; and the browser-test
 * harness, when Chromium cannot start, closes the server it had started, so its process ends
 * instead of hanging. Real processes; the deadlines only stop a hang (a test that hangs fails).
 * The harness needs the editor UI built (`npm run build`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../support/example-data.js';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the deadline passed and the process group was killed */
  hung: boolean;
}

/** Runs `node ARGS` in the repo in its own process group; kills the group if it outlives `ms`. */
function node(args: string[], env: Record<string, string>, ms = 120_000): Promise<Exit> {
  // node:test marks its children; a `node --test` that sees the mark runs nothing
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = setTimeout(() => {
      hung = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr, hung });
    });
  });
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const MISSING_CHROMIUM = { QUIRE_CHROMIUM: join(repoRoot, 'no-such-dir', 'chromium') };

test('without Chromium, the browser tests stop at once with one line naming the package', async () => {
  const r = await node(
    ['scripts/test.mjs', join('tests', 'e2e', 'security-headers.test.ts')],
    MISSING_CHROMIUM,
  );
  assert.equal(r.hung, false, `it hung; stderr: ${r.stderr.slice(-2000)}`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /^tests: Chromium is missing \(.*no-such-dir\/chromium does not exist\).*apt-get install chromium/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(r.stdout, '', 'no test ran');
});

test('without PostgreSQL, the tests that use it stop at once with one line saying what to do', async () => {
  const url = `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`;
  const r = await node(['scripts/test.mjs', join('tests', 'unit', 'store', 'run-store.test.ts')], {
    QUIRE_TEST_PG_ADMIN_URL: url,
  });
  assert.equal(r.hung, false, `it hung; stderr: ${r.stderr.slice(-2000)}`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /^tests: PostgreSQL is missing \(.*ECONNREFUSED\).*127\.0\.0\.1:5432.*QUIRE_TEST_PG_ADMIN_URL/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(r.stdout, '', 'no test ran');
});

test('`--preflight` checks what the whole suite needs and runs nothing', async () => {
  const r = await node(['scripts/test.mjs', '--preflight'], MISSING_CHROMIUM);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^tests: Chromium is missing/m);
  assert.equal(r.stdout, '');
});

test('the browser-test harness closes its server when Chromium cannot start, and the process ends', async () => {
  const harness = join('tests', 'integration', 'tooling', 'fixtures', 'start-e2e-harness.ts');
  const r = await node(['--import', 'tsx', harness], MISSING_CHROMIUM);
  assert.equal(
    r.hung,
    false,
    `the process did not end; stdout: ${r.stdout}; stderr: ${r.stderr.slice(-2000)}`,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^REFUSED Chromium could not be started from .*no-such-dir\/chromium \(apt-get install chromium/,
  );
});
