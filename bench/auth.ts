/**
 * What accounts cost (src/auth/): a login session looked up per request (the session's row joined
 * with its user, as every request in accounts mode will do) and an API token looked up, each
 * against a bare indexed query on the same database (the baseline), on SQLite and PostgreSQL;
 * the argon2id hash (m=19 MiB, t=2, p=1) and a verify; the event loop's worst delay while hashes
 * run (they run on libuv's pool, not the loop); refusing a 1 MB password.
 * Medians of 5 rounds. Run: node --import tsx bench/auth.ts (PostgreSQL at 127.0.0.1:5432, else
 * QUIRE_TEST_PG_ADMIN_URL; it is skipped when unreachable).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Accounts } from '../src/auth/accounts.js';
import { hashPassword, verifyPassword } from '../src/auth/password.js';
import { createSession } from '../src/auth/sessions.js';
import { openStore } from '../src/store/open.js';
import type { RunStore } from '../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/pg-database.js';

const N = 2000;
const ROUNDS = 5;
const PASSWORD = 'correct horse battery staple';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function perCall(fn: () => Promise<unknown>, n = N): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / n;
}

async function lookups(label: string, store: RunStore): Promise<void> {
  const accounts = new Accounts(store.db);
  const users = Array.from({ length: 100 }, (_, i) => `user${i}`);
  for (const name of users)
    await store.db.run(
      "INSERT INTO users (id, name, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, 'editor', NULL, 0, 0, 0)",
      [`id-${name}`, name],
    );
  // 1,000 live sessions (10 per user), sessions created directly (no hashing needed for lookups)
  const ids: string[] = [];
  for (let i = 0; i < 1000; i++)
    ids.push(await createSession(store.db, `id-${users[i % 100]}`, accounts.policy, Date.now()));
  const { token } = await accounts.createToken('user0', 'run');
  let i = 0;
  const bare = () =>
    store.db.all('SELECT id, name, role FROM users WHERE id = ?', [`id-${users[i++ % 100]}`]);
  const session = () => accounts.sessionUser(ids[i++ % ids.length]);
  const bearer = () => accounts.tokenUser(token);
  await perCall(bare, 200);
  await perCall(session, 200);
  await perCall(bearer, 200);
  const [b, s, t] = [[], [], []] as [number[], number[], number[]];
  for (let r = 0; r < ROUNDS; r++) {
    b.push(await perCall(bare));
    s.push(await perCall(session));
    t.push(await perCall(bearer));
  }
  const [mb, ms, mt] = [median(b), median(s), median(t)];
  console.log(`${label}: bare indexed query      ${mb.toFixed(4)} ms`);
  console.log(
    `${label}: session lookup          ${ms.toFixed(4)} ms (${(ms / mb).toFixed(2)}× the bare query)`,
  );
  console.log(`${label}: API token lookup        ${mt.toFixed(4)} ms (${(mt / mb).toFixed(2)}×)`);
}

async function hashing(): Promise<void> {
  await hashPassword(PASSWORD); // warm up
  const hashes: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t = performance.now();
    await hashPassword(PASSWORD);
    hashes.push(performance.now() - t);
  }
  const encoded = await hashPassword(PASSWORD);
  const verifies: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t = performance.now();
    await verifyPassword(PASSWORD, encoded);
    verifies.push(performance.now() - t);
  }
  const huge = 'x'.repeat(1024 * 1024);
  const refusals: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t = performance.now();
    await verifyPassword(huge, encoded);
    refusals.push(performance.now() - t);
  }
  // the event loop's worst delay while 4 hashes run at once, against it idle for as long
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const t = performance.now();
  await Promise.all(Array.from({ length: 4 }, () => hashPassword(PASSWORD)));
  const parallel = performance.now() - t;
  loop.disable();
  const busyMax = loop.max / 1e6;
  loop.reset();
  loop.enable();
  await new Promise((r) => setTimeout(r, parallel));
  loop.disable();
  console.log(
    `argon2id m=19456 KiB t=2 p=1: hash ${median(hashes).toFixed(1)} ms, verify ${median(verifies).toFixed(1)} ms (medians of 9)`,
  );
  console.log(
    `4 hashes at once: ${parallel.toFixed(1)} ms; event loop max delay ${busyMax.toFixed(1)} ms (idle: ${(loop.max / 1e6).toFixed(1)} ms)`,
  );
  console.log(`a 1 MB password refused: ${(median(refusals) * 1000).toFixed(1)} µs`);
}

async function main(): Promise<void> {
  await hashing();
  const ws = mkdtempSync(join(tmpdir(), 'quire-bench-auth-'));
  const sqlite = await openStore({ workspace: ws });
  await lookups('sqlite  ', sqlite);
  await sqlite.close();
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase('quire_bench');
  } catch (error) {
    console.log(`postgres: skipped (${(error as Error).message})`);
  }
  if (database) {
    const pg = await openStore({ workspace: ws, url: database.url });
    await lookups('postgres', pg);
    await pg.close();
    await database.drop();
  }
  rmSync(ws, { recursive: true, force: true });
}

await main();
