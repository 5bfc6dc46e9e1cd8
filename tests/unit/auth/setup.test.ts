// The one-time setup token and the accounts single sign-on makes, on both dialects (the embedded
// SQLite file and a fresh PostgreSQL database on 127.0.0.1:5432). Time is a number the tests pass.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AccountError, Accounts } from '../../../src/auth/accounts.js';
import {
  PendingLoginsFull,
  savePendingLogin,
  signInIdentity,
  takePendingLogin,
} from '../../../src/auth/oidc-identities.js';
import { digest } from '../../../src/auth/secret.js';
import { DEFAULT_SESSION_POLICY } from '../../../src/auth/sessions.js';
import { createSetupToken, SETUP_TOKEN_MS, setupTokenWorks, useSetupToken } from '../../../src/auth/setup.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const T0 = Date.UTC(2026, 11, 1);
const policy = DEFAULT_SESSION_POLICY;
const ADMIN = { name: 'Ada', password: 'correct horse battery' };

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`setup and single sign-on accounts on ${dialect}`, () => {
    let store: RunStore;
    let workspace: string;
    let database: TestDatabase | undefined;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-setup-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      store = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
    });
    after(async () => {
      await store.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    test('a setup token: 256 bits, kept as its sha256 only, dead after its hour', async () => {
      const token = await createSetupToken(store.db, T0);
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      const rows = await store.db.all<{ token_sha256: string }>('SELECT token_sha256 FROM setup_tokens');
      assert.deepEqual(
        rows.map((r) => r.token_sha256),
        [digest(token)],
      );
      assert.equal(await setupTokenWorks(store.db, token, T0 + SETUP_TOKEN_MS - 1), true);
      assert.equal(await setupTokenWorks(store.db, token, T0 + SETUP_TOKEN_MS), false);
      assert.equal(await setupTokenWorks(store.db, `${token}x`, T0), false);
      assert.deepEqual(await useSetupToken(store.db, token, ADMIN, { policy, now: T0 + SETUP_TOKEN_MS }), {
        ok: false,
        reason: 'invalid',
      });
      assert.equal((await new Accounts(store.db).countUsers()).users, 0);
    });

    test('a bad name or password keeps the token; the first use makes the admin and kills every token', async () => {
      const token = await createSetupToken(store.db, T0);
      const other = await createSetupToken(store.db, T0);
      await assert.rejects(
        useSetupToken(store.db, token, { name: 'no spaces', password: ADMIN.password }, { policy, now: T0 }),
        AccountError,
      );
      await assert.rejects(
        useSetupToken(store.db, token, { name: 'ada', password: 'short' }, { policy, now: T0 }),
        AccountError,
      );
      // two at once with one token: one wins
      const results = await Promise.all([
        useSetupToken(store.db, token, ADMIN, { policy, now: T0 }),
        useSetupToken(store.db, token, { name: 'eve', password: 'eves long password' }, { policy, now: T0 }),
      ]);
      assert.equal(results.filter((r) => r.ok).length, 1);
      const won = results.find((r) => r.ok)!;
      assert.ok(won.ok && won.account.role === 'admin' && won.sessionId.length === 43);
      const accounts = new Accounts(store.db, { now: () => T0 + 5 });
      assert.deepEqual(await accounts.countUsers(), { users: 1, admins: 1 });
      assert.equal((await accounts.sessionUser(won.sessionId))?.name, won.account.name);
      assert.equal(await setupTokenWorks(store.db, other, T0), false);
      assert.deepEqual(
        await useSetupToken(
          store.db,
          other,
          { name: 'mallory', password: 'mallorys password' },
          { policy, now: T0 },
        ),
        {
          ok: false,
          reason: 'invalid',
        },
      );
      // with users, even a new token makes no admin
      const late = await createSetupToken(store.db, T0);
      assert.equal(await setupTokenWorks(store.db, late, T0), false);
      assert.equal(
        (
          await useSetupToken(
            store.db,
            late,
            { name: 'mallory', password: 'mallorys password' },
            { policy, now: T0 },
          )
        ).ok,
        false,
      );
      assert.equal((await accounts.countUsers()).users, 1);
    });

    test('a started login is taken once, and not after it expired', async () => {
      await savePendingLogin(store.db, digest('state-1'), { nonce: 'n1', codeVerifier: 'v1' }, T0 + 1000, T0);
      await savePendingLogin(store.db, digest('state-2'), { nonce: 'n2', codeVerifier: 'v2' }, T0 + 1000, T0);
      assert.deepEqual(await takePendingLogin(store.db, digest('state-1'), T0 + 999), {
        nonce: 'n1',
        codeVerifier: 'v1',
      });
      assert.equal(await takePendingLogin(store.db, digest('state-1'), T0 + 999), undefined);
      assert.equal(await takePendingLogin(store.db, digest('state-2'), T0 + 1000), undefined);
      assert.equal(await takePendingLogin(store.db, digest('state-2'), T0), undefined);
    });

    test('started logins are capped: past the cap a start is refused until some expire', async () => {
      await store.db.run('DELETE FROM oidc_logins');
      for (const n of [1, 2, 3])
        await savePendingLogin(
          store.db,
          digest(`cap-${n}`),
          { nonce: 'n', codeVerifier: 'v' },
          T0 + 1000,
          T0,
          3,
        );
      await assert.rejects(
        savePendingLogin(store.db, digest('cap-4'), { nonce: 'n', codeVerifier: 'v' }, T0 + 1000, T0, 3),
        PendingLoginsFull,
      );
      await savePendingLogin(
        store.db,
        digest('cap-5'),
        { nonce: 'n', codeVerifier: 'v' },
        T0 + 5000,
        T0 + 1000,
        3,
      );
      assert.deepEqual(await takePendingLogin(store.db, digest('cap-5'), T0 + 1001), {
        nonce: 'n',
        codeVerifier: 'v',
      });
    });

    test('an identity makes one account, keeps it by subject, follows its role, ends the previous session', async () => {
      // the setup's admin (whichever of the two racing requests won) holds this name
      const [admin] = await new Accounts(store.db).listUsers();
      const taken = admin!.name;
      const identity = {
        issuer: 'https://idp.example.org',
        subject: 'abc',
        nameHints: [taken.toUpperCase()],
      };
      const first = await signInIdentity(store.db, identity, 'viewer', { policy, now: T0 });
      assert.ok(first.ok && first.created);
      // the identity gets an account of its own, not the admin's
      assert.equal(first.account.name, `${taken}-2`);
      const renamed = { ...identity, nameHints: ['Someone Else'] };
      const second = await signInIdentity(store.db, renamed, 'editor', {
        policy,
        now: T0 + 1,
        previousSessionId: first.sessionId,
      });
      assert.ok(second.ok && !second.created);
      assert.equal(second.account.id, first.account.id);
      assert.equal(second.account.role, 'editor');
      const accounts = new Accounts(store.db, { now: () => T0 + 5 });
      assert.equal(await accounts.sessionUser(first.sessionId), undefined);
      assert.equal((await accounts.sessionUser(second.sessionId))?.role, 'editor');
      // the same subject at another issuer is another person
      const elsewhere = await signInIdentity(
        store.db,
        { ...identity, issuer: 'https://other.example.org' },
        'viewer',
        { policy, now: T0 },
      );
      assert.ok(elsewhere.ok && elsewhere.account.id !== first.account.id);
      await accounts.setDisabled(`${taken}-2`, true);
      const refused = await signInIdentity(store.db, identity, 'admin', { policy, now: T0 + 2 });
      assert.equal(refused.ok, false);
      assert.equal((await accounts.user(`${taken}-2`)).role, 'editor');
    });
  });
}

suite('sqlite');
suite('postgres');
