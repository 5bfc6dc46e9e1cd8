// The audit log's table on both dialects (the embedded SQLite file and a fresh PostgreSQL database
// on 127.0.0.1:5432): append, list, verify; the triggers refuse UPDATE and DELETE; and with the
// triggers dropped (someone with direct access to the database), verify still names the entry
// that was edited, deleted or moved. The writer: emit returns at once, flush writes all, a failed
// write is logged and never thrown.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog } from '../../../src/audit/log.js';
import { AuditWriter } from '../../../src/audit/writer.js';
import { GENESIS_HASH, parseEntry, type AuditEvent } from '../../../src/audit/schema.js';
import { createLogger } from '../../../src/metrics/log.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { clearAuditLog, withoutAuditTriggers } from '../../support/audit-tamper.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const event = (n: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  time: new Date(Date.UTC(2026, 11, 4, 12, 0, 0, n)).toISOString(),
  event: 'notebook.saved',
  user: 'owner',
  action: 'notebook:edit',
  resource: { kind: 'notebook', path: 'a.nb.md' },
  outcome: 'ok',
  via: 'http',
  detail: { status: 200, version: `v${n}` },
  ...overrides,
});

const runFinished = { runId: 'r', status: 'error', trigger: 'api', attempt: 1, durationMs: 5 };

const events = (from: number, count: number): AuditEvent[] =>
  Array.from({ length: count }, (_, i) => event(from + i));

/** A logger that keeps its lines. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    stream: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`audit log on ${dialect}`, () => {
    let store: RunStore;
    let audit: AuditLog;
    let workspace: string;
    let database: TestDatabase | undefined;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-audit-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      store = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
      audit = new AuditLog(store.db);
    });
    after(async () => {
      await store.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    const reset = (): Promise<void> => clearAuditLog(store.db);
    const withoutTriggers = (fn: () => Promise<unknown>): Promise<void> => withoutAuditTriggers(store.db, fn);

    test('append chains from the genesis hash; list and head read it back', async () => {
      await reset();
      assert.deepEqual(await audit.head(), { seq: 0, hash: GENESIS_HASH });
      const first = await audit.append(events(1, 3));
      const second = await audit.append([
        event(4, { user: null, action: null, outcome: 'failed', event: 'login', detail: { status: 401 } }),
      ]);
      assert.deepEqual(
        [...first, ...second].map((e) => e.seq),
        [1, 2, 3, 4],
      );
      assert.equal(first[0]!.prevHash, GENESIS_HASH);
      assert.equal(second[0]!.prevHash, first[2]!.hash);
      assert.deepEqual(await audit.head(), { seq: 4, hash: second[0]!.hash });
      const listed = await audit.list();
      assert.deepEqual(listed, [...first, ...second], 'read back exactly as written');
      for (const entry of listed) assert.deepEqual(parseEntry(entry), entry);
      assert.deepEqual(await audit.verify(), { ok: true, count: 4, head: { seq: 4, hash: second[0]!.hash } });
    });

    test('what an entry holds comes back exactly, so it still matches its hash', async () => {
      await reset();
      const written = await audit.append([
        event(1, {
          user: 'zoë',
          event: 'run.finished',
          resource: { kind: 'run', id: 'run-1', path: 'données/ventes 🙂.nb.md' },
          detail: {
            runId: 'a "b" \\ c\n',
            status: 'ok',
            trigger: 'zoë 🙂',
            attempt: 2 ** 53 - 1,
            durationMs: 1e-7,
          },
        }),
        event(2, { event: 'params.changed', detail: { names: [] } }),
        event(3, { event: 'run.finished', detail: { ...runFinished, durationMs: null } }),
      ]);
      assert.deepEqual(await audit.list(), written);
      assert.equal((await audit.verify()).ok, true);
    });

    test('list filters by time, user and event; limit keeps the newest, oldest first', async () => {
      await reset();
      await audit.append([
        event(1, { user: 'ann' }),
        event(2, { user: 'bob', event: 'login', detail: { status: 302 } }),
        event(3, { user: 'ann', event: 'login', detail: { status: 302 } }),
        event(4, { user: 'ann' }),
      ]);
      const seqs = async (filter: Parameters<AuditLog['list']>[0]) =>
        (await audit.list(filter)).map((e) => e.seq);
      assert.deepEqual(await seqs({ user: 'ann' }), [1, 3, 4]);
      assert.deepEqual(await seqs({ event: 'login' }), [2, 3]);
      assert.deepEqual(await seqs({ user: 'ann', event: 'login' }), [3]);
      assert.deepEqual(await seqs({ since: Date.UTC(2026, 11, 4, 12, 0, 0, 3) }), [3, 4]);
      assert.deepEqual(await seqs({ limit: 2 }), [3, 4]);
    });

    test('an event that does not fit the schema is refused and nothing is appended', async () => {
      await reset();
      await assert.rejects(audit.append([event(1), { ...event(2), outcome: 'maybe' as never }]));
      await assert.rejects(audit.append([event(1, { time: 'yesterday' })]));
      assert.equal((await audit.head()).seq, 0);
    });

    test('the table refuses UPDATE and DELETE', async () => {
      await reset();
      await audit.append(events(1, 2));
      await assert.rejects(
        store.db.run("UPDATE audit_log SET user_id = 'mallory' WHERE seq = 1"),
        /append-only/,
      );
      await assert.rejects(store.db.run('DELETE FROM audit_log WHERE seq = 2'), /append-only/);
      await assert.rejects(store.db.run('DELETE FROM audit_log'), /append-only/);
      if (dialect === 'postgres') await assert.rejects(store.db.run('TRUNCATE audit_log'), /append-only/);
      assert.deepEqual((await audit.verify()).count, 2);
    });

    // With the triggers dropped: what someone with write access to the database can still do.
    const tampers: { name: string; sql: string[]; seq: number; problem: string }[] = [
      {
        name: 'a field edited',
        sql: ["UPDATE audit_log SET user_id = 'mallory' WHERE seq = 4"],
        seq: 4,
        problem: 'edited',
      },
      {
        name: 'a time moved',
        sql: ['UPDATE audit_log SET time_ms = time_ms - 3600000 WHERE seq = 2'],
        seq: 2,
        problem: 'edited',
      },
      { name: 'a row deleted', sql: ['DELETE FROM audit_log WHERE seq = 3'], seq: 3, problem: 'deleted' },
      {
        name: "two rows' seq swapped",
        sql: [
          'UPDATE audit_log SET seq = -5 WHERE seq = 5',
          'UPDATE audit_log SET seq = 5 WHERE seq = 6',
          'UPDATE audit_log SET seq = 6 WHERE seq = -5',
        ],
        seq: 5,
        problem: 'reordered',
      },
    ];
    for (const { name, sql, seq, problem } of tampers) {
      test(`with the triggers dropped, ${name}: verify names seq ${seq} (${problem})`, async () => {
        await reset();
        await audit.append(events(1, 8));
        await withoutTriggers(async () => {
          for (const statement of sql) await store.db.run(statement);
        });
        const result = await audit.verify();
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.break.seq, seq, result.break.message);
        assert.equal(result.break.problem, problem, result.break.message);
        assert.equal(result.count, seq - 1);
      });
    }

    test('the newest entries cut off are found only against a recorded head', async () => {
      await reset();
      await audit.append(events(1, 6));
      const recorded = await audit.head();
      await withoutTriggers(() => store.db.run('DELETE FROM audit_log WHERE seq > 4'));
      assert.equal((await audit.verify()).ok, true, 'the chain alone cannot see a cut at the head');
      const result = await audit.verify(recorded);
      assert.equal(result.ok, false);
      if (!result.ok) assert.deepEqual([result.break.seq, result.break.problem], [6, 'deleted']);
    });

    test('a long log is verified page by page', async () => {
      await reset();
      for (let i = 0; i < 5; i++) await audit.append(events(i * 1000 + 1, 1000));
      const head = await audit.head();
      assert.deepEqual(await audit.verify(head), { ok: true, count: 5000, head });
      await withoutTriggers(() => store.db.run("UPDATE audit_log SET via = 'ws' WHERE seq = 4321"));
      const result = await audit.verify();
      assert.equal(result.ok, false);
      if (!result.ok)
        assert.deepEqual([result.break.seq, result.break.problem, result.count], [4321, 'edited', 4320]);
    });

    test('the writer: emit returns before anything is written, flush writes all in order', async () => {
      await reset();
      const { logger, lines } = memoryLogger();
      const writer = new AuditWriter(audit, logger);
      for (const e of events(1, 1200)) writer.emit(e);
      assert.equal(writer.pending, 1200, 'nothing written during emit');
      await writer.flush();
      assert.equal(writer.pending, 0);
      assert.deepEqual(lines, []);
      const result = await audit.verify();
      assert.equal(result.ok && result.count, 1200);
      assert.deepEqual(
        (await audit.list({ limit: 3 })).map((e) => e.detail.version),
        ['v1198', 'v1199', 'v1200'],
      );
    });

    test('the writer: a bad event and a failed write are logged, never thrown', async (t) => {
      await reset();
      const { logger, lines } = memoryLogger();
      const writer = new AuditWriter(audit, logger);
      writer.emit({ ...event(1), outcome: 'maybe' as never });
      assert.equal(lines[0]?.msg, 'audit event refused');
      // A write that fails: its store is closed.
      const goneWorkspace = mkdtempSync(join(tmpdir(), 'quire-audit-gone-'));
      t.after(() => rmSync(goneWorkspace, { recursive: true, force: true }));
      const gone = await openStore({ workspace: goneWorkspace });
      await gone.close();
      const failing = new AuditWriter(new AuditLog(gone.db), logger);
      failing.emit(event(2));
      failing.emit(event(3));
      await failing.flush();
      const failed = lines.find((line) => line.msg === 'audit write failed');
      assert.ok(failed);
      assert.equal(failed.lost, 2);
      assert.deepEqual(failed.events, ['notebook.saved', 'notebook.saved']);
      // and it goes on with the next events
      writer.emit(event(4));
      await writer.flush();
      assert.equal((await audit.head()).seq, 1);
    });

    test('the writer: past its queue limit an event is dropped and logged', async () => {
      await reset();
      const { logger, lines } = memoryLogger();
      const writer = new AuditWriter(audit, logger, { maxPending: 2 });
      for (const e of events(1, 3)) writer.emit(e);
      assert.deepEqual(
        lines.map((line) => [line.msg, line.pending]),
        [['audit event dropped: the queue is full', 2]],
      );
      await writer.flush();
      assert.equal((await audit.head()).seq, 2);
    });
  });
}

suite('sqlite');
suite('postgres');
