/**
 * The alert state in the store (`alert_state`, one row per notebook; migration 2): read, locked
 * and written inside the caller's transaction. SQL only: the policy deciding the next state is
 * alert-policy.ts.
 */
import type { Db } from '../store/db.js';
import type { AlertState } from './alert-policy.js';

const STATE_COLUMNS =
  'failing, fingerprint, failing_since, last_sent_at, last_run_id, last_outcome, suppressed';

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

function stateFromRow(row: Record<string, unknown>): AlertState {
  return {
    failing: Number(row.failing) === 1,
    fingerprint: str(row.fingerprint),
    failingSince: num(row.failing_since),
    lastSentAt: num(row.last_sent_at),
    lastRunId: str(row.last_run_id),
    lastOutcome: str(row.last_outcome) as AlertState['lastOutcome'],
    suppressed: Number(row.suppressed ?? 0),
  };
}
/**
 * Reads a notebook's state and locks its row until the transaction ends (the no-op update takes
 * the row lock on PostgreSQL, where a plain SELECT would let a second server read the same state;
 * SQLite's BEGIN IMMEDIATE already serializes writers). A failure creates the row; a success only
 * locks a failing one, so notebooks that never failed get no row.
 */
export async function lockState(tx: Db, path: string, failure: boolean): Promise<AlertState | undefined> {
  const rows = failure
    ? await tx.all(
        `INSERT INTO alert_state (notebook_path) VALUES (?)
         ON CONFLICT (notebook_path) DO UPDATE SET notebook_path = excluded.notebook_path
         RETURNING ${STATE_COLUMNS}`,
        [path],
      )
    : await tx.all(
        `UPDATE alert_state SET notebook_path = notebook_path WHERE notebook_path = ? AND failing = 1
         RETURNING ${STATE_COLUMNS}`,
        [path],
      );
  return rows[0] ? stateFromRow(rows[0]) : undefined;
}

export function writeState(tx: Db, path: string, s: AlertState): Promise<number> {
  return tx.run(
    `UPDATE alert_state SET failing = ?, fingerprint = ?, failing_since = ?, last_sent_at = ?, last_run_id = ?,
       last_outcome = ?, suppressed = ?
     WHERE notebook_path = ?`,
    [
      s.failing ? 1 : 0,
      s.fingerprint ?? null,
      s.failingSince ?? null,
      s.lastSentAt ?? null,
      s.lastRunId ?? null,
      s.lastOutcome ?? null,
      s.suppressed,
      path,
    ],
  );
}

/** Reads a notebook's alert state (for tests and status pages); undefined when it never failed. */
export async function alertState(db: Db, path: string): Promise<AlertState | undefined> {
  const rows = await db.all(`SELECT ${STATE_COLUMNS} FROM alert_state WHERE notebook_path = ?`, [path]);
  return rows[0] ? stateFromRow(rows[0]) : undefined;
}

/** Records how the alert about `runId` (sent at `sentAt`) ended, unless a later alert replaced it. */
export async function recordOutcome(
  db: Db,
  path: string,
  runId: string,
  sentAt: number,
  outcome: 'sent' | 'failed',
): Promise<void> {
  await db.run(
    'UPDATE alert_state SET last_outcome = ? WHERE notebook_path = ? AND last_run_id = ? AND last_sent_at = ?',
    [outcome, path, runId, sentAt],
  );
}
