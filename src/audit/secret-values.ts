/**
 * The secret values a process that writes audit entries can redact them with (redact.ts): those in
 * its environment (`QUIRE_SECRET_<NAME>`), and for a command that changes the store, those in the
 * store. A value that could not be opened (no key, a wrong one) is left out, never fatal: the entry
 * is still written, with what could be known.
 */
import { keyFilePath, MasterKeys } from '../secrets/master-key.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { openStored, SecretStore } from '../secrets/store.js';
import type { Db } from '../store/db.js';

/** A redactor with every `QUIRE_SECRET_*` value of `env` registered. */
export function envSecretRedactor(env: NodeJS.ProcessEnv = process.env): SecretRedactor {
  const redactor = new SecretRedactor();
  for (const [name, value] of Object.entries(env))
    if (name.startsWith('QUIRE_SECRET_') && value) redactor.register(value);
  return redactor;
}

/** `redactor` with every value of the store in `db` registered that the workspace's key opens. */
export async function registerStoreSecrets(
  redactor: SecretRedactor,
  db: Db,
  workspace: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SecretRedactor> {
  const keys = new MasterKeys({ file: keyFilePath(workspace), env });
  let sealed;
  try {
    sealed = await new SecretStore(db, keys).sealed();
  } catch {
    return redactor;
  }
  for (const [name, value] of sealed) {
    try {
      redactor.register(openStored(name, value, keys));
    } catch {
      // no key for it here: `quire secrets list` and `verify` report that, not the audit trail
    }
  }
  return redactor;
}
