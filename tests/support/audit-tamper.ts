/**
 * What someone with write access to the store's database can do to the audit log: drop the
 * triggers that refuse UPDATE and DELETE, change rows, put the triggers back. Tests use it to show
 * that `verify` still finds the change, and to empty the table between cases.
 */
import type { Db } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

/** Runs `fn` with audit_log's triggers dropped, then creates them again as the migration does. */
export async function withoutAuditTriggers(db: Db, fn: () => Promise<unknown>): Promise<void> {
  if (db.dialect === 'sqlite') {
    await db.run('DROP TRIGGER audit_log_no_update');
    await db.run('DROP TRIGGER audit_log_no_delete');
  } else {
    await db.run('DROP TRIGGER audit_log_no_update ON audit_log');
    await db.run('DROP TRIGGER audit_log_no_delete ON audit_log');
    await db.run('DROP TRIGGER audit_log_no_truncate ON audit_log');
  }
  try {
    await fn();
  } finally {
    const triggers = (MIGRATIONS.find((m) => m.name === 'audit log')?.only?.[db.dialect] ?? []).filter(
      (sql) => sql.startsWith('CREATE TRIGGER'),
    );
    for (const sql of triggers) await db.run(sql);
  }
}

/** Empties the audit log (only a test does this). */
export const clearAuditLog = (db: Db): Promise<void> =>
  withoutAuditTriggers(db, () => db.run('DELETE FROM audit_log'));
