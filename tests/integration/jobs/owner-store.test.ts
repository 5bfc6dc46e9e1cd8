// The run owners in the store, on SQLite and on PostgreSQL (two connection pools, as two servers):
// a schedule's owner follows saves that add or change the schedule and not the others; the
// quota of runs in flight holds when one user's submissions race from two processes (exactly the
// limit is created, the rest refused naming the limit and the runs); and mayRunAsOwner reads the
// owner's role as it is now.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { deleteGrant, insertGrant } from '../../../src/auth/grants-store.js';
import { mayRunAsOwner, runFileAccess } from '../../../src/auth/run-as.js';
import { recordScheduleSave, scheduleOwnerOf } from '../../../src/jobs/schedule-owner.js';
import { openStore } from '../../../src/store/open.js';
import { RunQuotaError, type RunStore } from '../../../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const withSchedule = (cron: string, body = 'const x = 1;') =>
  `---\ntitle: T\nschedule: { cron: "${cron}" }\n---\n\n\`\`\`ts\n${body}\n\`\`\`\n`;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`run owners (${dialect})`, () => {
    let workspace: string;
    let database: TestDatabase | undefined;
    let one: RunStore;
    let two: RunStore;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-owner-store-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      const url = database?.url;
      one = await openStore({ workspace, ...(url ? { url } : {}) });
      two = await openStore({ workspace, ...(url ? { url } : {}) });
    });
    after(async () => {
      await one.close();
      await two.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    test("a schedule's owner is who added or changed it; other saves keep it; removing it forgets it", async () => {
      const path = 'nb.nb.md';
      const source = withSchedule('0 * * * *');
      await recordScheduleSave(one, path, source, 'u_ed');
      assert.equal(await scheduleOwnerOf(one, path, source), 'u_ed');
      // A cell edit by someone else leaves the schedule as it was: still ed's.
      const edited = withSchedule('0 * * * *', 'const x = 2;');
      await recordScheduleSave(two, path, edited, 'u_vi');
      assert.equal(await scheduleOwnerOf(one, path, edited), 'u_ed');
      // The same schedule written another way (keys in another order) is the same schedule.
      const reordered = source.replace(
        '{ cron: "0 * * * *" }',
        '{ catchup: { policy: skip }, cron: "0 * * * *" }',
      );
      const ordered = source.replace(
        '{ cron: "0 * * * *" }',
        '{ cron: "0 * * * *", catchup: { policy: skip } }',
      );
      await recordScheduleSave(two, path, reordered, 'u_ed');
      await recordScheduleSave(two, path, ordered, 'u_vi');
      assert.equal(await scheduleOwnerOf(one, path, ordered), 'u_ed');
      await recordScheduleSave(one, path, source, 'u_ed');
      // A schedule changed on disk (not saved through the server) has no owner.
      assert.equal(await scheduleOwnerOf(one, path, withSchedule('0 0 * * *')), undefined);
      // Changing it through the server makes the saver its owner.
      await recordScheduleSave(two, path, withSchedule('0 0 * * *'), 'u_al');
      assert.equal(await scheduleOwnerOf(one, path, withSchedule('0 0 * * *')), 'u_al');
      // Removed, then put back as it was: whoever puts it back owns it.
      await recordScheduleSave(one, path, '# no schedule\n', 'u_al');
      assert.equal(await one.scheduleOwner(path), undefined);
      await recordScheduleSave(one, path, withSchedule('0 * * * *'), 'u_zo');
      assert.equal(await scheduleOwnerOf(one, path, withSchedule('0 * * * *')), 'u_zo');
    });

    test("one user's submissions racing from two processes: exactly the quota is created", async () => {
      const submit = (store: RunStore) =>
        store.create({
          path: 'race.nb.md',
          source: '# Race\n',
          trigger: 'api',
          params: {},
          ownerId: 'u_racer',
          ownerLimit: 3,
        });
      // PostgreSQL: two pools, as two servers. SQLite: one process's store (two connections of one
      // process would wait on each other's write lock; BEGIN IMMEDIATE serializes processes).
      const racer = (i: number) => (dialect === 'postgres' && i % 2 ? two : one);
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => submit(racer(i))));
      const created = results.filter((r) => r.status === 'fulfilled');
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      assert.equal(created.length, 3);
      assert.equal(refused.length, 5);
      for (const error of refused) {
        assert.ok(error instanceof RunQuotaError, String(error));
        assert.equal(error.count, 3);
        assert.match(
          error.message,
          /^quota: you have 3 runs queued or running: run-.*the limit is 3 per user/,
        );
      }
      assert.equal(await one.countInFlight('u_racer'), 3);
      // A run that ends gives its place back; another user's runs never counted.
      const [first] = await one.list({ path: 'race.nb.md' });
      assert.ok(await one.cancelQueued(first!.id));
      assert.ok(await submit(one));
      assert.ok(
        await one.create({
          path: 'race.nb.md',
          source: '# R\n',
          trigger: 'api',
          params: {},
          ownerId: 'u_other',
          ownerLimit: 1,
        }),
      );
    });

    test('mayRunAsOwner reads the role, the disabled flag and the account as they are now', async () => {
      assert.equal(
        await mayRunAsOwner(one, 'u_anyone', 'a.nb.md'),
        undefined,
        'no accounts: single-user mode',
      );
      // Its kernel reads all of the workspace, whoever the owner id names.
      assert.deepEqual(await runFileAccess(one, { path: 'a.nb.md', trigger: 'api', ownerId: 'owner' }), {
        ungranted: [],
        shown: [],
      });
      const accounts = new Accounts(one.db);
      const ed = await accounts.addUser(`ed-${dialect}`, 'editor');
      await accounts.addUser(`admin-${dialect}`, 'admin');
      assert.equal(await mayRunAsOwner(two, ed.id, 'a.nb.md'), undefined);
      await accounts.setRole(ed.name, 'runner');
      assert.equal(await mayRunAsOwner(two, ed.id, 'a.nb.md'), undefined, 'a runner may execute');
      await accounts.setRole(ed.name, 'viewer');
      assert.equal(
        await mayRunAsOwner(two, ed.id, 'a.nb.md'),
        `owner ${ed.name} may no longer run a.nb.md: role viewer may not execute notebooks`,
      );
      await accounts.setRole(ed.name, 'editor');
      await accounts.setDisabled(ed.name, true);
      assert.equal(
        await mayRunAsOwner(two, ed.id, 'a.nb.md'),
        `owner ${ed.name} may no longer run a.nb.md: the account is disabled`,
      );
      assert.equal(
        await mayRunAsOwner(two, 'u_gone', 'a.nb.md'),
        'owner u_gone may no longer run a.nb.md: there is no such account',
      );
    });

    test("mayRunAsOwner follows the grants as they are now: a folder granted to others stops the owner's run", async () => {
      const accounts = new Accounts(one.db);
      const ana = await accounts.addUser(`ana-${dialect}`, 'editor');
      const bob = await accounts.addUser(`bob-${dialect}`, 'editor');
      const path = 'finance/q1.nb.md';
      assert.equal(await mayRunAsOwner(two, ana.id, path), undefined, 'no grant: the folder is open');
      const mine = await insertGrant(one.db, {
        subject: { kind: 'user', id: ana.id },
        path: 'finance/',
        level: 'run',
        createdBy: null,
        now: Date.now(),
      });
      await insertGrant(one.db, {
        subject: { kind: 'user', id: bob.id },
        path: 'finance/',
        level: 'read',
        createdBy: null,
        now: Date.now(),
      });
      assert.equal(await mayRunAsOwner(two, ana.id, path), undefined, 'granted run');
      assert.equal(
        await mayRunAsOwner(two, bob.id, path),
        `owner ${bob.name} may no longer run ${path}: no grant lets them run it`,
        'granted read only',
      );
      await deleteGrant(one.db, mine.id);
      assert.equal(
        await mayRunAsOwner(two, ana.id, path),
        `owner ${ana.name} may no longer run ${path}: no grant lets them run it`,
        'the grant revoked since',
      );
      // The kernel of a run: ana (no grant on finance/ left) reads nothing of it, bob reads it.
      const run = (ownerId: string) => ({ path: 'open.nb.md', trigger: 'api', ownerId });
      assert.ok((await runFileAccess(two, run(ana.id))).ungranted.includes('finance/'));
      assert.ok(!(await runFileAccess(two, run(bob.id))).ungranted.includes('finance/'));
      assert.deepEqual((await runFileAccess(two, run('u_gone'))).ungranted, [''], 'no such account: nothing');
    });
  });
}
