// Accounts on both dialects (the embedded SQLite file and a fresh PostgreSQL database on
// 127.0.0.1:5432): users, logins and their limits, sessions, API tokens. Time is a clock the tests
// move; nothing sleeps.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AccountError, Accounts } from '../../../src/auth/accounts.js';
import { decodePasswordHash } from '../../../src/auth/password.js';
import { digest } from '../../../src/auth/secret.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PASSWORD = 'correct horse battery';

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`accounts on ${dialect}`, () => {
    let store: RunStore;
    let workspace: string;
    let database: TestDatabase | undefined;
    let time = Date.UTC(2026, 11, 1);
    const clock = () => time;
    let accounts: Accounts;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-accounts-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      store = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
      accounts = new Accounts(store.db, {
        now: clock,
        limits: { windowMs: 15 * 60_000, perAccount: 3, perAddress: 6 },
      });
      await accounts.addUser('ada', 'admin', PASSWORD);
      await accounts.addUser('bob', 'viewer', 'bobs password');
    });
    after(async () => {
      await store.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    test('users: stored with their role and an argon2id hash, never the password', async () => {
      const rows = await store.db.all<{ name: string; role: string; password_hash: string }>(
        'SELECT name, role, password_hash FROM users ORDER BY name',
      );
      assert.deepEqual(
        rows.map((r) => [r.name, r.role]),
        [
          ['ada', 'admin'],
          ['bob', 'viewer'],
        ],
      );
      const parts = decodePasswordHash(rows[0]!.password_hash);
      assert.deepEqual([parts?.memoryKiB, parts?.iterations, parts?.parallelism], [19456, 2, 1]);
      assert.ok(!rows[0]!.password_hash.includes(PASSWORD));
      assert.deepEqual(await accounts.countUsers(), { users: 2, admins: 1 });
      const listed = await accounts.listUsers();
      assert.deepEqual(
        listed.map((u) => [u.name, u.role, u.disabled, u.hasPassword]),
        [
          ['ada', 'admin', false, true],
          ['bob', 'viewer', false, true],
        ],
      );
      assert.ok(!JSON.stringify(listed).includes('argon2'), 'a listed account carries no hash');
    });

    test('users: a taken name, a bad name, a bad role and a weak password are refused', async () => {
      await assert.rejects(accounts.addUser('ada', 'viewer', PASSWORD), /already exists/);
      await assert.rejects(accounts.addUser('Ada', 'viewer', PASSWORD), AccountError);
      await assert.rejects(accounts.addUser('a b', 'viewer', PASSWORD), AccountError);
      await assert.rejects(accounts.addUser('carol', 'owner' as never, PASSWORD), /unknown role/);
      await assert.rejects(accounts.addUser('carol', 'viewer', 'short'), /at least 8/);
      await assert.rejects(
        accounts.addUser('carol', 'viewer', 'x'.repeat(1024 * 1024)),
        /at most 1024 bytes/,
      );
      await assert.rejects(accounts.user('carol'), /no user named "carol"/);
    });

    test('login: the right password gives a session; a wrong one, an unknown name or a 1 MB password do not', async () => {
      const ok = await accounts.login('ada', PASSWORD, '10.0.0.1');
      assert.ok(ok.ok);
      assert.equal(ok.account.name, 'ada');
      assert.match(ok.sessionId, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
      assert.equal((await accounts.sessionUser(ok.sessionId))?.name, 'ada');
      // stored hashed: the id itself is nowhere in the table
      const stored = await store.db.all<{ id_sha256: string }>('SELECT id_sha256 FROM login_sessions');
      assert.ok(stored.some((r) => r.id_sha256 === digest(ok.sessionId)));
      assert.ok(!stored.some((r) => r.id_sha256 === ok.sessionId));
      assert.deepEqual(await accounts.login('ada', 'wrong password', '10.0.0.1'), {
        ok: false,
        reason: 'invalid',
      });
      assert.deepEqual(await accounts.login('nobody', PASSWORD, '10.0.0.1'), {
        ok: false,
        reason: 'invalid',
      });
      assert.deepEqual(await accounts.login('ada', 'x'.repeat(1024 * 1024), '10.0.0.1'), {
        ok: false,
        reason: 'invalid',
      });
      assert.equal(await accounts.sessionUser('forged'), undefined);
      assert.equal(await accounts.sessionUser(undefined), undefined);
      await accounts.logout(ok.sessionId);
      time += 16 * 60_000; // a new window for the next tests
    });

    test('login: session ids rotate: the session the browser came with ends', async () => {
      const first = await accounts.login('ada', PASSWORD, '10.0.0.2');
      assert.ok(first.ok);
      const second = await accounts.login('ada', PASSWORD, '10.0.0.2', first.sessionId);
      assert.ok(second.ok);
      assert.notEqual(second.sessionId, first.sessionId);
      assert.equal(await accounts.sessionUser(first.sessionId), undefined);
      assert.equal((await accounts.sessionUser(second.sessionId))?.name, 'ada');
      assert.equal(await accounts.logout(second.sessionId), true);
      assert.equal(await accounts.sessionUser(second.sessionId), undefined, 'logout ends it');
      assert.equal(await accounts.logout(second.sessionId), false, 'nothing left to end');
    });

    test('sessions: the idle timeout ends a quiet session; requests keep a busy one alive', async () => {
      const busy = await accounts.login('bob', 'bobs password', '10.0.0.3');
      const quiet = await accounts.login('bob', 'bobs password', '10.0.0.3');
      assert.ok(busy.ok && quiet.ok);
      // a request every 6 hours: past the 12-hour idle timeout in total, never idle that long
      for (let i = 0; i < 3; i++) {
        time += 6 * HOUR;
        assert.equal((await accounts.sessionUser(busy.sessionId))?.name, 'bob', `request ${i}`);
      }
      assert.equal(await accounts.sessionUser(quiet.sessionId), undefined, 'idle for 18 hours');
      assert.equal(
        (await store.db.all('SELECT 1 FROM login_sessions WHERE id_sha256 = ?', [digest(quiet.sessionId)]))
          .length,
        0,
        'an ended session is deleted',
      );
      await accounts.logout(busy.sessionId);
    });

    test('sessions: the absolute timeout ends even a busy session 7 days after login', async () => {
      const login = await accounts.login('bob', 'bobs password', '10.0.0.4');
      assert.ok(login.ok);
      const start = time;
      while (time + 6 * HOUR < start + 7 * DAY) {
        time += 6 * HOUR;
        assert.ok(await accounts.sessionUser(login.sessionId));
      }
      time = start + 7 * DAY;
      assert.equal(await accounts.sessionUser(login.sessionId), undefined);
    });

    test('a password change ends every session of that user, and only theirs', async () => {
      const a1 = await accounts.login('bob', 'bobs password', '10.0.0.5');
      const a2 = await accounts.login('bob', 'bobs password', '10.0.0.6');
      const other = await accounts.login('ada', PASSWORD, '10.0.0.5');
      assert.ok(a1.ok && a2.ok && other.ok);
      assert.equal(await accounts.setPassword('bob', 'a new password'), 2);
      assert.equal(await accounts.sessionUser(a1.sessionId), undefined);
      assert.equal(await accounts.sessionUser(a2.sessionId), undefined);
      assert.equal((await accounts.sessionUser(other.sessionId))?.name, 'ada');
      assert.deepEqual(await accounts.login('bob', 'bobs password', '10.0.0.5'), {
        ok: false,
        reason: 'invalid',
      });
      assert.ok((await accounts.login('bob', 'a new password', '10.0.0.5')).ok);
      await assert.rejects(accounts.setPassword('nobody', 'a new password'), /no user/);
      time += 16 * 60_000;
    });

    test('rate limit per account: past the limit even the right password is refused until the window ends', async () => {
      await accounts.addUser('carol', 'runner', 'carols password');
      for (let i = 0; i < 3; i++)
        assert.deepEqual(await accounts.login('carol', `guess ${i}`, `10.1.0.${i}`), {
          ok: false,
          reason: 'invalid',
        });
      time += 60_000;
      const limited = await accounts.login('carol', 'carols password', '10.1.0.9');
      assert.equal(limited.ok, false);
      assert.equal(!limited.ok && limited.reason, 'limited');
      assert.equal(!limited.ok && limited.reason === 'limited' && limited.retryAfterMs, 14 * 60_000);
      // another account is not affected
      assert.ok((await accounts.login('bob', 'a new password', '10.1.0.9')).ok);
      time += 14 * 60_000;
      assert.ok((await accounts.login('carol', 'carols password', '10.1.0.9')).ok, 'a new window');
    });

    test('rate limit per account: a successful login clears the count', async () => {
      time += 16 * 60_000;
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 2; i++) await accounts.login('carol', 'wrong', '10.2.0.1');
        assert.ok(
          (await accounts.login('carol', 'carols password', `10.2.0.${round + 2}`)).ok,
          `round ${round}`,
        );
      }
    });

    test('rate limit per address: one client guessing many names is stopped, other clients are not', async () => {
      time += 16 * 60_000;
      for (let i = 0; i < 6; i++) await accounts.login(`user${i}`, 'guess', '2001:db8:1:2::99');
      // the same /64, another host part
      const limited = await accounts.login('ada', PASSWORD, '2001:db8:1:2:aaaa::1');
      assert.equal(!limited.ok && limited.reason, 'limited');
      assert.ok((await accounts.login('ada', PASSWORD, '2001:db8:1:3::1')).ok, 'another /64');
      assert.ok((await accounts.login('ada', PASSWORD, '10.3.0.1')).ok, 'another address');
    });

    test('rate limit: parallel guesses are counted before their passwords are checked', async () => {
      time += 16 * 60_000;
      await accounts.addUser('dave', 'viewer', 'daves password');
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => accounts.login('dave', `guess ${i}`, `10.4.0.${i}`)),
      );
      const limited = results.filter((r) => !r.ok && r.reason === 'limited').length;
      assert.equal(limited, 5, 'only 3 of 8 parallel guesses were checked');
    });

    test('made-up names share one count: a flood of them adds no row per name', async () => {
      time += 16 * 60_000;
      const before = (await store.db.all('SELECT subject FROM login_failures')).length;
      // (three: this suite's limit per account is 3, and they are one account here)
      for (const name of ['Not A Name', 'x'.repeat(1024 * 1024), '../../etc'])
        assert.deepEqual(await accounts.login(name, PASSWORD, '10.9.0.1'), { ok: false, reason: 'invalid' });
      const subjects = (await store.db.all<{ subject: string }>('SELECT subject FROM login_failures')).map(
        (r) => r.subject,
      );
      assert.ok(subjects.length <= before + 2, 'one account subject and one address subject');
      assert.ok(subjects.every((s) => s.length < 100));
      assert.ok((await accounts.login('ada', PASSWORD, '10.9.0.2')).ok);
      const left = await store.db.all<{ window_start: number }>('SELECT window_start FROM login_failures');
      assert.ok(
        left.every((r) => Number(r.window_start) > time - 15 * 60_000),
        'ended windows are purged',
      );
    });

    test('a disabled user cannot log in, their sessions end and their tokens stop working', async () => {
      time += 16 * 60_000;
      const login = await accounts.login('dave', 'daves password', '10.5.0.1');
      assert.ok(login.ok);
      const { token } = await accounts.createToken('dave', 'read');
      assert.ok(await accounts.tokenUser(token));
      await accounts.setDisabled('dave', true);
      assert.equal(await accounts.sessionUser(login.sessionId), undefined);
      assert.equal(await accounts.tokenUser(token), undefined);
      assert.deepEqual(await accounts.login('dave', 'daves password', '10.5.0.1'), {
        ok: false,
        reason: 'invalid',
      });
      await assert.rejects(accounts.createToken('dave', 'read'), /disabled/);
      assert.deepEqual(await accounts.countUsers(), { users: 4, admins: 1 });
      await accounts.setDisabled('dave', false);
      assert.ok(await accounts.tokenUser(token), 'enabled again: the token works again');
    });

    test('tokens: qk_ and 256 bits, shown once, stored as sha256, with scope, expiry and last use', async () => {
      const created = await accounts.createToken('carol', 'run', 30 * DAY);
      assert.match(created.token, /^qk_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.expiresAt, time + 30 * DAY);
      const rows = await store.db.all<{ token_sha256: string }>(
        'SELECT token_sha256 FROM api_tokens WHERE id = ?',
        [created.id],
      );
      assert.deepEqual(rows, [{ token_sha256: digest(created.token) }]);
      const listed = await accounts.listTokens();
      assert.ok(!JSON.stringify(listed).includes(created.token), 'the list never shows a token');
      const mine = listed.find((t) => t.id === created.id);
      assert.deepEqual(
        mine && {
          user: mine.user,
          scope: mine.scope,
          lastUsedAt: mine.lastUsedAt,
          revokedAt: mine.revokedAt,
        },
        { user: 'carol', scope: 'run', lastUsedAt: null, revokedAt: null },
      );
      const used = await accounts.tokenUser(created.token);
      assert.deepEqual(used && [used.account.name, used.scope, used.tokenId], ['carol', 'run', created.id]);
      assert.equal((await accounts.listTokens('carol')).find((t) => t.id === created.id)?.lastUsedAt, time);
      // wrong, truncated, and other-shaped tokens
      for (const wrong of [
        created.token.slice(0, -1) + (created.token.endsWith('A') ? 'B' : 'A'),
        created.token.slice(1),
        'qk_',
        '',
        digest(created.token),
      ])
        assert.equal(await accounts.tokenUser(wrong), undefined, wrong);
      // expiry
      time += 30 * DAY - 1;
      assert.ok(await accounts.tokenUser(created.token));
      time += 1;
      assert.equal(await accounts.tokenUser(created.token), undefined, 'expired');
    });

    test('tokens: revoked at once; a scope above the role and an endless lifetime are refused', async () => {
      const { id, token } = await accounts.createToken('ada', 'admin');
      assert.equal((await accounts.tokenUser(token))?.scope, 'admin');
      assert.equal(await accounts.revokeToken(id), 'revoked');
      assert.equal(await accounts.tokenUser(token), undefined);
      assert.equal(await accounts.revokeToken(id), 'already');
      assert.ok((await accounts.listTokens()).find((t) => t.id === id)?.revokedAt);
      await assert.rejects(accounts.revokeToken('tok_nope'), /no token/);
      await assert.rejects(accounts.createToken('bob', 'run'), /a viewer cannot hold a token with scope run/);
      await assert.rejects(accounts.createToken('carol', 'edit'), /runner cannot/);
      assert.ok(await accounts.createToken('carol', 'read'));
      await assert.rejects(accounts.createToken('ada', 'read', 400 * DAY), /at most 366 days/);
      await assert.rejects(accounts.createToken('ada', 'read', 0), AccountError);
      await assert.rejects(accounts.createToken('nobody', 'read'), /no user/);
    });

    test('the last enabled admin can be neither disabled nor demoted', async () => {
      await assert.rejects(accounts.setDisabled('ada', true), /ada is the last admin/);
      await assert.rejects(accounts.setRole('ada', 'editor'), /last admin/);
      await accounts.setRole('carol', 'admin');
      await accounts.setRole('ada', 'editor');
      assert.equal((await accounts.user('ada')).role, 'editor');
      await accounts.setRole('ada', 'admin');
      await accounts.setRole('carol', 'runner');
      await assert.rejects(accounts.setRole('nobody', 'viewer'), /no user/);
    });

    test('a restart logs nobody out: a second Accounts on the same database knows the session', async () => {
      const login = await accounts.login('ada', PASSWORD, '10.6.0.1');
      assert.ok(login.ok);
      const again = new Accounts(store.db, { now: clock });
      assert.equal((await again.sessionUser(login.sessionId))?.name, 'ada');
    });
  });
}

suite('sqlite');
suite('postgres');
