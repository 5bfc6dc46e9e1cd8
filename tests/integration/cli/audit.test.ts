// `quire audit` and `quire audit verify` as the real binary (bin/quire.js: `npm run build` first),
// against the workspace's embedded SQLite store and a fresh PostgreSQL database (`--db`): listing
// with filters, verify's count and head, and verify after someone with database access (the
// triggers dropped) edited a field, deleted a row, swapped two rows' seq or cut the newest off.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog } from '../../../src/audit/log.js';
import type { AuditEntry, AuditEvent } from '../../../src/audit/schema.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { clearAuditLog, withoutAuditTriggers } from '../../support/audit-tamper.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { makeWorkspace, removeWorkspace, runCli } from './helpers.js';

const event = (n: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  time: new Date(Date.UTC(2026, 11, 1 + n, 9)).toISOString(),
  event: n % 3 === 0 ? 'login' : 'notebook.saved',
  user: n % 2 ? 'ann' : 'bob',
  action: n % 3 === 0 ? null : 'notebook:edit',
  resource: n % 3 === 0 ? { kind: 'server' } : { kind: 'notebook', path: `n${n}.nb.md` },
  outcome: 'ok',
  via: 'http',
  detail: n % 3 === 0 ? { status: 302 } : { created: n === 1 },
  ...overrides,
});

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`quire audit on ${dialect}`, () => {
    let ws: string;
    let database: TestDatabase | undefined;
    let store: RunStore;
    let audit: AuditLog;
    /** the flags that point the CLI at this suite's store */
    let db: string[];

    before(async () => {
      ws = makeWorkspace();
      if (dialect === 'postgres') database = await createTestDatabase();
      db = database ? ['--db', database.url] : [];
      store = await openStore({ workspace: ws, ...(database ? { url: database.url } : {}) });
      audit = new AuditLog(store.db);
    });
    after(async () => {
      await store.close();
      await database?.drop();
      removeWorkspace(ws);
    });

    const cli = (...args: string[]) => runCli(['audit', ...args, ...db], { cwd: ws });

    /** A log of `count` entries, and nothing else. */
    async function fresh(count = 8): Promise<void> {
      await clearAuditLog(store.db);
      await audit.append(Array.from({ length: count }, (_, i) => event(i + 1)));
    }

    test('lists the newest entries oldest first, filtered by user, event and time', async () => {
      await fresh();
      const table = await cli();
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trim().split('\n');
      assert.match(lines[0]!, /^SEQ\s+TIME \(UTC\)\s+USER\s+EVENT\s+OUTCOME\s+VIA\s+RESOURCE\s+DETAIL$/);
      assert.equal(lines.length, 9);
      assert.match(
        lines[1]!,
        /^1\s+2026-12-02 09:00:00Z\s+ann\s+notebook\.saved\s+ok\s+http\s+notebook n1\.nb\.md\s+created=true$/,
      );
      assert.match(lines[3]!, /^3\s+.*\blogin\s+ok\s+http\s+server\s+status=302$/);

      const json = async (...args: string[]): Promise<AuditEntry[]> => {
        const r = await cli('--json', ...args);
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout) as AuditEntry[];
      };
      const all = await json();
      assert.deepEqual(all, await audit.list(), 'the JSON is the entries as stored, hashes included');
      const seqs = async (...args: string[]) => (await json(...args)).map((e) => e.seq);
      assert.deepEqual(await seqs('--user', 'bob'), [2, 4, 6, 8]);
      assert.deepEqual(await seqs('--event', 'login'), [3, 6]);
      assert.deepEqual(await seqs('--since', '2026-12-07'), [6, 7, 8]);
      assert.deepEqual(await seqs('--since', '2026-12-05T09:00:00Z', '--user', 'ann'), [5, 7]);
      assert.deepEqual(await seqs('--limit', '2'), [7, 8]);

      const none = await cli('--user', 'nobody');
      assert.equal(none.code, 0);
      assert.equal(none.stdout, '');
      assert.match(none.stderr, /^no audit entries in /);
    });

    test('verify: exit 0 with the count and the head to record', async () => {
      await fresh();
      const r = await cli('verify');
      assert.equal(r.code, 0, r.stderr);
      const head = await audit.head();
      assert.equal(r.stdout, `verified 8 entries: the chain is intact\nhead 8:${head.hash}\n`);
      const anchored = await cli('verify', '--anchor', `8:${head.hash}`);
      assert.equal(anchored.code, 0, anchored.stdout);
      const json = await cli('verify', '--json');
      assert.deepEqual(JSON.parse(json.stdout), { ok: true, count: 8, head });
    });

    test('verify of an empty log', async () => {
      await clearAuditLog(store.db);
      const r = await cli('verify');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^verified 0 entries: the audit log in .* is empty\n$/);
    });

    const tampers: { name: string; sql: string[]; seq: number; problem: string }[] = [
      {
        name: 'a field edited',
        sql: ["UPDATE audit_log SET outcome = 'denied' WHERE seq = 4"],
        seq: 4,
        problem: 'edited',
      },
      { name: 'a row deleted', sql: ['DELETE FROM audit_log WHERE seq = 6'], seq: 6, problem: 'deleted' },
      {
        name: "two rows' seq swapped",
        sql: [
          'UPDATE audit_log SET seq = -2 WHERE seq = 2',
          'UPDATE audit_log SET seq = 2 WHERE seq = 3',
          'UPDATE audit_log SET seq = 3 WHERE seq = -2',
        ],
        seq: 2,
        problem: 'reordered',
      },
    ];
    for (const { name, sql, seq, problem } of tampers) {
      test(`verify after ${name}: exit 1 naming entry ${seq}`, async () => {
        await fresh();
        await withoutAuditTriggers(store.db, async () => {
          for (const statement of sql) await store.db.run(statement);
        });
        const r = await cli('verify');
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(
          r.stdout,
          new RegExp(
            `^audit log broken at entry ${seq} \\(${problem}\\): .*\\n${seq - 1} entr(y|ies) before it verified\\n$`,
          ),
        );
        const json = JSON.parse((await cli('verify', '--json')).stdout) as {
          ok: boolean;
          break: { seq: number };
        };
        assert.deepEqual([json.ok, json.break.seq], [false, seq]);
      });
    }

    test('verify --anchor finds the newest entries cut off, which the chain alone cannot', async () => {
      await fresh();
      const head = await audit.head();
      await withoutAuditTriggers(store.db, () => store.db.run('DELETE FROM audit_log WHERE seq > 5'));
      assert.equal((await cli('verify')).code, 0);
      const r = await cli('verify', '--anchor', `${head.seq}:${head.hash}`);
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        /^audit log broken at entry 8 \(deleted\): entry 8, the recorded head, is missing/,
      );
    });

    test('bad input is exit 2', async () => {
      for (const args of [
        ['--limit', '0'],
        ['--since', 'last tuesday'],
        ['verify', '--anchor', 'abc'],
        ['verify', '--since', '2026-01-01'],
        ['everything'],
      ]) {
        const r = await cli(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /^quire audit/);
      }
    });
  });
}

suite('sqlite');
suite('postgres');

test('the store of another workspace is reached with --db sqlite:PATH', async (t) => {
  const ws = makeWorkspace();
  t.after(() => removeWorkspace(ws));
  const store = await openStore({ workspace: ws });
  await new AuditLog(store.db).append([event(1)]);
  await store.close();
  const r = await runCli(['audit', 'verify', '--db', `sqlite:${join(ws, '.quire', 'quire.db')}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^verified 1 entry: the chain is intact\n/);
});
