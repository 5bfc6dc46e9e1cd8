/**
 * What `quire users` and `quire token` share: the accounts of the workspace's store (or `--db`),
 * opened for one command and closed after it, with the accounts' mistakes as bad input (exit 2),
 * and the audit log of that store, where each change made is recorded (audit-trail.ts).
 */
import { AccountError, Accounts } from '../auth/accounts.js';
import { recordCliEvent, type CliEventDetail } from './audit-trail.js';
import { InputError } from './errors.js';
import { openCommandStore } from './store-access.js';

/** Records a change the command made: `user.added`, `token.revoked`… */
export type RecordChange = (
  event: string,
  resource: { kind: 'user' | 'token' } & Record<string, string>,
  detail?: CliEventDetail,
) => Promise<void>;

export async function withAccounts<T>(
  db: string | undefined,
  fn: (accounts: Accounts, record: RecordChange) => Promise<T>,
): Promise<T> {
  const store = await openCommandStore(db);
  try {
    const record: RecordChange = (event, resource, detail = {}) =>
      recordCliEvent(store.db, event, resource, detail);
    return await fn(new Accounts(store.db), record);
  } catch (error) {
    if (error instanceof AccountError) throw new InputError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

/** The label of the store a command used, for its messages. */
export const DB_HELP = '--db URL      the store (default: QUIRE_DB, else .quire/quire.db in the workspace)';
