/**
 * What `quire users` and `quire token` share: the accounts of the workspace's store (or `--db`),
 * opened for one command and closed after it, with the accounts' mistakes as bad input (exit 2).
 */
import { AccountError, Accounts } from '../auth/accounts.js';
import { InputError } from './errors.js';
import { openCommandStore } from './store-access.js';

export async function withAccounts<T>(
  db: string | undefined,
  fn: (accounts: Accounts) => Promise<T>,
): Promise<T> {
  const store = await openCommandStore(db);
  try {
    return await fn(new Accounts(store.db));
  } catch (error) {
    if (error instanceof AccountError) throw new InputError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

/** The label of the store a command used, for its messages. */
export const DB_HELP = '--db URL      the store (default: QUIRE_DB, else .quire/quire.db in the workspace)';
