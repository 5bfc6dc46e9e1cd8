// The access tables on both dialects (the embedded SQLite file and a fresh PostgreSQL database on
// 127.0.0.1:5432): grants, user groups and locks as stored and loaded into rules; and a server's
// snapshot of them: a change made elsewhere shows after a reload, `refresh()` reads at once, and a
// store that cannot be read for too long makes every decision a refusal (fail closed).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AccountError, Accounts } from '../../../src/auth/accounts.js';
import { decideAccess, levelOn } from '../../../src/auth/grants.js';
import { AccessRulesSnapshot } from '../../../src/auth/grants-snapshot.js';
import { deleteGrant, insertGrant, listGrants, loadAccessRules } from '../../../src/auth/grants-store.js';
import { groupsOf, replaceGroups } from '../../../src/auth/groups.js';
import { listLocks, lockNotebook, unlockNotebook } from '../../../src/auth/locks.js';
import type { Db } from '../../../src/store/db.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`access tables on ${dialect}`, () => {
    let store: RunStore;
    let workspace: string;
    let database: TestDatabase | undefined;
    let rae: string;
    let bob: string;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-grants-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      store = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
      const accounts = new Accounts(store.db);
      rae = (await accounts.addUser('rae', 'editor')).id;
      bob = (await accounts.addUser('bob', 'editor')).id;
    });
    after(async () => {
      await store.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    test('grants, groups and locks load into the rules the decision reads', async () => {
      const db: Db = store.db;
      await replaceGroups(db, rae, ['data', 'ops', 'data']);
      assert.deepEqual(await groupsOf(db, rae), ['data', 'ops']);
      const g1 = await insertGrant(db, {
        subject: { kind: 'group', name: 'data' },
        path: 'team/',
        level: 'run',
        createdBy: 'me',
        now: 1,
      });
      await insertGrant(db, {
        subject: { kind: 'user', id: bob },
        path: 'team/b.nb.md',
        level: 'read',
        createdBy: null,
        now: 2,
      });
      await insertGrant(db, {
        subject: { kind: 'everyone' },
        path: 'pub/',
        level: 'read',
        createdBy: null,
        now: 3,
      });
      await assert.rejects(
        insertGrant(db, {
          subject: { kind: 'group', name: 'data' },
          path: 'team/',
          level: 'edit',
          createdBy: null,
          now: 4,
        }),
        (error: Error) => error instanceof AccountError && error.message.includes(g1.id),
      );
      assert.equal(
        await lockNotebook(db, { path: 'team/a.nb.md', lockedBy: 'me', lockedAt: 5, reason: 'final' }),
        'locked',
      );
      assert.equal(
        await lockNotebook(db, { path: 'team/a.nb.md', lockedBy: 'me', lockedAt: 6, reason: 'again' }),
        'already',
      );
      assert.deepEqual(await listLocks(db), [
        { path: 'team/a.nb.md', lockedBy: 'me', lockedAt: 5, reason: 'final' },
      ]);

      const rules = await loadAccessRules(db);
      assert.equal(levelOn(rules, rae, 'team/x/y.nb.md'), 'run');
      assert.equal(levelOn(rules, bob, 'team/x/y.nb.md'), 'none');
      assert.equal(levelOn(rules, bob, 'team/b.nb.md'), 'read');
      assert.equal(levelOn(rules, bob, 'pub/p.nb.md'), 'read');
      assert.equal(levelOn(rules, bob, 'else.nb.md'), 'open');
      assert.equal(
        decideAccess(rules, { id: rae, role: 'editor' }, 'notebook:edit', {
          kind: 'notebook',
          path: 'team/a.nb.md',
        }),
        false,
      );

      const listed = await listGrants(db);
      assert.deepEqual(
        listed.map((g) => [g.path, g.subject.kind, g.subjectName, g.level]),
        [
          ['pub/', 'everyone', '', 'read'],
          ['team/', 'group', 'data', 'run'],
          ['team/b.nb.md', 'user', 'bob', 'read'],
        ],
      );
      assert.deepEqual(
        (await listGrants(db, 'team/')).map((g) => g.id),
        [g1.id],
      );
      assert.equal((await deleteGrant(db, g1.id))?.level, 'run');
      assert.equal(await deleteGrant(db, g1.id), undefined);
      assert.equal(await unlockNotebook(db, 'team/a.nb.md'), true);
      assert.equal(await unlockNotebook(db, 'team/a.nb.md'), false);
      const after = await loadAccessRules(db);
      assert.equal(levelOn(after, bob, 'team/x/y.nb.md'), 'open');
      assert.equal(after.locked.size, 0);
    });

    test('a snapshot: reloads every ttl, refresh() at once, fails closed when the store stays unreadable', async () => {
      let time = 1_000_000;
      let loads = 0;
      let failing = false;
      const errors: unknown[] = [];
      // The real store, with a switch that makes its reads fail (the store unreachable).
      const db: Db = {
        dialect: store.db.dialect,
        label: store.db.label,
        all: (sql, params) => (failing ? Promise.reject(new Error('store down')) : store.db.all(sql, params)),
        run: (sql, params) => store.db.run(sql, params),
        transaction: (fn) => store.db.transaction(fn),
        close: async () => undefined,
      };
      const snapshot = new AccessRulesSnapshot(db, {
        ttlMs: 20,
        maxStaleMs: 1_000,
        now: () => time,
        logError: (e) => errors.push(e),
        onLoad: () => loads++,
      });
      await snapshot.start();
      try {
        const bobOn = () => levelOn(snapshot.current(), bob, 'secret/s.nb.md');
        assert.equal(bobOn(), 'open');
        // A change made elsewhere (the CLI): the timer's reload picks it up.
        const grant = await insertGrant(store.db, {
          subject: { kind: 'user', id: rae },
          path: 'secret/',
          level: 'edit',
          createdBy: null,
          now: 0,
        });
        const deadline = Date.now() + 2_000;
        while (bobOn() !== 'none') {
          assert.ok(Date.now() < deadline, 'the reload did not pick the grant up');
          await new Promise((r) => setTimeout(r, 10));
        }
        await deleteGrant(store.db, grant.id);
        await snapshot.refresh();
        assert.equal(bobOn(), 'open', 'refresh() reads at once');
        assert.ok(loads >= 3);

        // The store goes away: the last rules hold until maxStaleMs, then every decision is a refusal.
        failing = true;
        await assert.rejects(snapshot.refresh(), /store down/);
        await assert.rejects(snapshot.refresh(), /store down/);
        assert.equal(errors.length, 1, 'one report per outage');
        time += 500;
        assert.equal(snapshot.current().stale, undefined);
        time += 600;
        assert.equal(snapshot.current().stale, true);
        const ada = { id: 'u_ada', role: 'admin' as const };
        assert.equal(
          decideAccess(snapshot.current(), ada, 'notebook:read', { kind: 'notebook', path: 'else.nb.md' }),
          false,
        );
        failing = false;
        await snapshot.refresh();
        assert.equal(snapshot.current().stale, undefined);
        assert.equal(
          decideAccess(snapshot.current(), ada, 'notebook:read', { kind: 'notebook', path: 'else.nb.md' }),
          true,
        );
      } finally {
        snapshot.stop();
      }
    });
  });
}

suite('sqlite');
suite('postgres');
