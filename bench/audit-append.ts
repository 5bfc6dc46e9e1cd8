/**
 * Audit log appends on SQLite (a temp file, the store's own pragmas: WAL, synchronous=NORMAL), and
 * with `--pg` on PostgreSQL:
 * - one event per transaction through `AuditLog.append` (validate, read the head, hash, insert),
 *   against a plain INSERT of the same columns into a table without hashing, one per transaction;
 * - the server's path: 2,000 events emitted at once to an `AuditWriter`, then `flush` (it writes up
 *   to 500 per transaction), against the same plain INSERTs 500 to a transaction;
 * - `verify` of the whole log (entries per second).
 * The baselines run in the same process, on the same file, interleaved with the measured rounds.
 * Medians of 7 rounds. Run: node --import tsx bench/audit-append.ts [--pg] (--pg: the same on a
 * scratch database of the PostgreSQL server on 127.0.0.1:5432, as the tests make them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../src/audit/log.js';
import type { AuditEvent } from '../src/audit/schema.js';
import { AuditWriter } from '../src/audit/writer.js';
import { createLogger } from '../src/metrics/log.js';
import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrations.js';
import { openPostgres } from '../src/store/postgres.js';
import { openSqlite } from '../src/store/sqlite.js';
import { createTestDatabase } from '../tests/support/pg-database.js';

const ROUNDS = 7;
const SINGLE = 1000;
const BATCHED = 2000;
const BATCH = 500;

const event = (n: number): AuditEvent => ({
  time: new Date().toISOString(),
  event: 'notebook.saved',
  user: 'owner',
  action: 'notebook:edit',
  resource: { kind: 'notebook', path: `sales/q${n % 4}.nb.md` },
  outcome: 'ok',
  via: 'http',
  detail: { status: 200, version: 'f'.repeat(64), created: false },
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const plainSeq: Record<string, number> = { plain_log: 0, indexed_log: 0 };
async function plainInsert(db: Db, events: AuditEvent[], table = 'plain_log'): Promise<void> {
  await db.transaction(async (tx) => {
    for (const e of events)
      await tx.run(
        `INSERT INTO ${table} (seq, time_ms, event, user_id, action, resource, outcome, via, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          ++plainSeq[table]!,
          Date.parse(e.time),
          e.event,
          e.user,
          e.action,
          JSON.stringify(e.resource),
          e.outcome,
          e.via,
          JSON.stringify(e.detail),
        ],
      );
  });
}

/** Appends per second of `fn` doing `count` appends. */
async function rate(count: number, fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return count / ((performance.now() - start) / 1000);
}

/** Every measure on `db` (migrated), printed under `label`. */
async function measure(db: Db, label: string): Promise<void> {
  const columns = `seq BIGINT PRIMARY KEY, time_ms BIGINT NOT NULL, event TEXT NOT NULL, user_id TEXT, action TEXT,
    resource TEXT NOT NULL, outcome TEXT NOT NULL, via TEXT NOT NULL, detail TEXT NOT NULL`;
  await db.run(`CREATE TABLE plain_log (${columns})`);
  // The same table with audit_log's three indexes: how much of the cost is the indexes.
  await db.run(`CREATE TABLE indexed_log (${columns})`);
  await db.run('CREATE INDEX indexed_log_by_time ON indexed_log (time_ms)');
  await db.run('CREATE INDEX indexed_log_by_user ON indexed_log (user_id, seq)');
  await db.run('CREATE INDEX indexed_log_by_event ON indexed_log (event, seq)');
  plainSeq.plain_log = 0;
  plainSeq.indexed_log = 0;
  const audit = new AuditLog(db);
  const writer = new AuditWriter(audit, createLogger());
  const results = {
    single: [] as number[],
    plainSingle: [] as number[],
    batched: [] as number[],
    plainBatched: [] as number[],
    indexedSingle: [] as number[],
  };
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    results.plainSingle.push(
      await rate(SINGLE, async () => {
        for (let i = 0; i < SINGLE; i++) await plainInsert(db, [event(n++)]);
      }),
    );
    results.indexedSingle.push(
      await rate(SINGLE, async () => {
        for (let i = 0; i < SINGLE; i++) await plainInsert(db, [event(n++)], 'indexed_log');
      }),
    );
    results.single.push(
      await rate(SINGLE, async () => {
        for (let i = 0; i < SINGLE; i++) await audit.append([event(n++)]);
      }),
    );
    results.plainBatched.push(
      await rate(BATCHED, async () => {
        for (let i = 0; i < BATCHED; i += BATCH)
          await plainInsert(
            db,
            Array.from({ length: BATCH }, () => event(n++)),
          );
      }),
    );
    results.batched.push(
      await rate(BATCHED, async () => {
        for (let i = 0; i < BATCHED; i++) writer.emit(event(n++));
        await writer.flush();
      }),
    );
  }
  const verifyStart = performance.now();
  const verified = await audit.verify();
  const verifyMs = performance.now() - verifyStart;
  if (!verified.ok) throw new Error(`the bench's own log does not verify: ${verified.break.message}`);

  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  const row = (name: string, measured: number[], baseline: number[]) => {
    const m = median(measured);
    const b = median(baseline);
    console.log(
      `  ${name.padEnd(42)} ${fmt(m).padStart(8)} /s   plain INSERT ${fmt(b).padStart(8)} /s   ratio ${(m / b).toFixed(2)}× (${(
        (1000 / m - 1000 / b) *
        1000
      ).toFixed(0)} µs more per entry)`,
    );
  };
  console.log(`${label}, Node ${process.version}, medians of ${ROUNDS} rounds`);
  row(`append, 1 per transaction (×${SINGLE})`, results.single, results.plainSingle);
  row(`writer, ${BATCH} per transaction (×${BATCHED})`, results.batched, results.plainBatched);
  row('plain INSERT with the 3 indexes, 1 per tx', results.indexedSingle, results.plainSingle);
  console.log(
    `  verify ${fmt(verified.count)} entries: ${verifyMs.toFixed(0)} ms (${fmt(verified.count / (verifyMs / 1000))} entries/s)`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'quire-bench-audit-'));
const sqlite = openSqlite(join(dir, 'quire.db'));
try {
  await migrate(sqlite);
  await measure(sqlite, 'SQLite (WAL, synchronous=NORMAL)');
} finally {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--pg')) {
  const database = await createTestDatabase('quire_bench');
  const pg = openPostgres(database.url);
  try {
    await migrate(pg);
    await measure(pg, `PostgreSQL (${pg.label})`);
  } finally {
    await pg.close();
    await database.drop();
  }
}
