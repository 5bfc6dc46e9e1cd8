/**
 * `quire secrets rotate-key`: a new master key, every stored value re-encrypted with it in one
 * transaction, then the key file replaced. The order is what keeps every value readable whatever
 * moment a crash (or a power loss) picks:
 *
 * 1. the new key is written to `master.key.new` (0600, synced) — crash: nothing changed but a
 *    spare file, which the next rotation overwrites;
 * 2. the store re-encrypts every value in one transaction — crash or failure before it commits:
 *    every value is still under the old key (the pending file is removed on a failure);
 * 3. the new key replaces `master.key` atomically (temp file, rename, folder synced) — a crash
 *    between 2 and 3: the values are under the pending key, which readers find by its id
 *    (MasterKeys.byId), and the next `secrets set` or `rotate-key` moves it into place first.
 *
 * With QUIRE_MASTER_KEY set there is no file of ours to replace: the new key comes from
 * `--new-key-file` and the operator moves the variable to it (between the commit and that, runs
 * fail with "encrypted with key K2; the master key in use is K1").
 */
import { newMasterKey, type MasterKey } from './crypto.js';
import {
  MasterKeyError,
  pendingKeyPath,
  promotePendingKey,
  unlinkQuietly,
  writeKeyFile,
} from './master-key.js';
import type { SecretStore } from './store.js';

export interface Rotation {
  /** the key the values were under (undefined: there was none) */
  from: string | undefined;
  to: string;
  /** values re-encrypted */
  count: number;
  /** where the new key now is: the key file, or only the `--new-key-file` given */
  mode: 'env' | 'file';
}

/**
 * A rotation that committed but did not replace its key file: moves the pending key into place.
 * Resolves to its id when it did.
 */
export async function finishInterruptedRotation(store: SecretStore): Promise<string | undefined> {
  const keys = store.keys;
  if (keys.mode !== 'file') return undefined;
  const pending = keys.pending();
  if (!pending) return undefined;
  const used = await store.keyIds();
  if (used.length === 0 || used.some((id) => id !== pending.id)) return undefined;
  promotePendingKey(keys.file);
  return pending.id;
}

/** Rotates the master key of `store` to `newKey` (default: a random one). */
export async function rotateMasterKey(store: SecretStore, newKey?: MasterKey): Promise<Rotation> {
  const keys = store.keys;
  const mode = keys.mode;
  if (mode === 'env' && !newKey)
    throw new MasterKeyError(
      'QUIRE_MASTER_KEY is set, so the key is not in a file rotate-key can replace: write a new key to a file ' +
        '(`(umask 077; openssl rand -base64 32 > new.key)`), pass --new-key-file new.key, then set QUIRE_MASTER_KEY ' +
        'to it wherever quire runs',
    );
  await finishInterruptedRotation(store);
  const from = keys.current();
  const to = newKey ?? newMasterKey();
  if (from && from.id === to.id) throw new MasterKeyError(`the new key is the key in use (${from.id})`);
  const pending = pendingKeyPath(keys.file);
  if (mode === 'file') writeKeyFile(pending, to);
  let count: number;
  try {
    count = await store.reencryptAll(to);
  } catch (error) {
    if (mode === 'file') unlinkQuietly(pending);
    throw error;
  }
  if (mode === 'file') {
    // Written from memory, not renamed from the pending file: a concurrent rotation may have
    // replaced that file, and this key is the one the store now holds.
    writeKeyFile(keys.file, to);
    unlinkQuietly(pending);
  }
  return { from: from?.id, to: to.id, count, mode };
}
