/**
 * The encrypted secret store: the `secrets` table of the run store (migration 5), one row per name
 * holding its value sealed with the master key (crypto.ts) and the id of that key. It sets, lists,
 * removes and re-encrypts values; whoever reads a value opens it with `openStored`. It also keeps
 * each secret's grants (`secret_grants`, migration 8; the rule is grants.ts's).
 *
 * Every write takes one lock (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE's), and a
 * write refuses a key other than the one the stored values use: values under two keys at once would
 * make a rotation lose one of them.
 *
 * Must not: return or log a value except to the caller that asked for it by name.
 */
import type { Db } from '../store/db.js';
import { newMasterKey, seal, unseal, type MasterKey, type SealedValue } from './crypto.js';
import { widening, type GrantKind, type SecretGrant } from './grants.js';
import { MasterKeyError, type MasterKeys } from './master-key.js';

/** What `quire secrets list` shows: never the value. */
export interface SecretInfo {
  name: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
  updatedBy: string | null;
  /** who may read it, paths first then users, each sorted; none: every run of the workspace */
  grants: SecretGrant[];
}

interface GrantRow extends Record<string, unknown> {
  secret_name: string;
  kind: string;
  subject: string;
}

interface SecretRow extends Record<string, unknown> {
  name: string;
  ciphertext: string;
  nonce: string;
  key_id: string;
  created_at: number | string;
  updated_at: number | string;
  updated_by: string | null;
}

/** A name the store accepts: letters, digits, `_`, `.` and `-`, up to 128 characters. */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** A request the store refuses: a bad name, an empty value, a key that does not match. */
export class SecretStoreError extends Error {
  override readonly name = 'SecretError';
}

export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name))
    throw new SecretStoreError(
      `a secret name is 1 to 128 letters, digits, "_", "." or "-"; got ${JSON.stringify(name.slice(0, 140))}`,
    );
}

/** The lock every write of the table takes on PostgreSQL (the migrator's is 7242100). */
const WRITE_LOCK = 7242105;

const sealedOf = (row: SecretRow): SealedValue => ({
  ciphertext: row.ciphertext,
  nonce: row.nonce,
  keyId: row.key_id,
});

/**
 * The value of the secret `name` stored as `sealed`, opened with the key it records; a key that
 * is not at hand, a tampered value or one moved from another name is an error naming the secret.
 */
export function openStored(name: string, sealed: SealedValue, keys: MasterKeys): string {
  const key = keys.byId(sealed.keyId);
  if (key) return unseal(name, sealed, key);
  const current = keys.current();
  if (!current)
    throw new MasterKeyError(
      `the secret "${name}" was encrypted with key ${sealed.keyId}, and there is no master key: ` +
        `set QUIRE_MASTER_KEY or restore ${keys.file}`,
    );
  throw new MasterKeyError(
    `the secret "${name}" was encrypted with key ${sealed.keyId}; the master key in use is ${current.id} (${keys.where()})`,
  );
}

export class SecretStore {
  constructor(
    readonly db: Db,
    readonly keys: MasterKeys,
  ) {}

  /** Names, key ids and times, by name. */
  async list(): Promise<SecretInfo[]> {
    const rows = await this.db.all<SecretRow>(
      'SELECT name, key_id, created_at, updated_at, updated_by FROM secrets',
    );
    // Sorted here, not by ORDER BY: the two dialects' collations order "a" and "B" differently.
    rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const grants = await this.grants();
    return rows.map((row) => ({
      name: row.name,
      keyId: row.key_id,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      updatedBy: row.updated_by ?? null,
      grants: grants.get(row.name) ?? [],
    }));
  }

  /** The grants of `names` (those without any left out), or of every secret. */
  async grants(names?: readonly string[]): Promise<Map<string, SecretGrant[]>> {
    if (names && names.length === 0) return new Map();
    let rows: GrantRow[];
    try {
      rows = await this.db.all<GrantRow>(
        names
          ? `SELECT secret_name, kind, subject FROM secret_grants WHERE secret_name IN (${names.map(() => '?').join(', ')})`
          : 'SELECT secret_name, kind, subject FROM secret_grants',
        names ? [...names] : [],
      );
    } catch (error) {
      // a store read without migrating, older than migration 8, has no grants
      if (isMissingTable(error)) return new Map();
      throw error;
    }
    const byName = new Map<string, SecretGrant[]>();
    for (const row of rows) {
      if (row.kind !== 'path' && row.kind !== 'user') continue;
      const list = byName.get(row.secret_name) ?? [];
      list.push({ kind: row.kind, subject: row.subject });
      byName.set(row.secret_name, list);
    }
    for (const list of byName.values()) list.sort(grantOrder);
    return byName;
  }

  /**
   * Grants the stored secret `name` to a path (normalized by grants.ts's `grantPath`) or an account
   * id; resolves to whether the grant is new. A name that is not stored is refused: a grant made
   * for a typo would protect nothing.
   */
  async grant(
    name: string,
    grant: SecretGrant,
    options: { by?: string | null; now?: number } = {},
  ): Promise<boolean> {
    checkSecretName(name);
    return this.db.transaction(async (tx) => {
      await lockAndKeyIds(tx);
      if ((await tx.all('SELECT 1 AS one FROM secrets WHERE name = ?', [name])).length === 0)
        throw new SecretStoreError(`no secret "${name}" in the store`);
      const inserted = await tx.run(
        `INSERT INTO secret_grants (secret_name, kind, subject, created_at, created_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (secret_name, kind, subject) DO NOTHING`,
        [name, grant.kind, grant.subject, options.now ?? Date.now(), options.by ?? null],
      );
      return inserted > 0;
    });
  }

  /**
   * Removes a grant; resolves to whether it was there. Removing the last grant of its kind opens
   * the secret wider (grants.ts `widening`): refused unless `widen` says the caller means it.
   */
  async revoke(name: string, grant: SecretGrant, options: { widen?: boolean } = {}): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await lockAndKeyIds(tx);
      const rows = await tx.all<GrantRow>(
        'SELECT secret_name, kind, subject FROM secret_grants WHERE secret_name = ?',
        [name],
      );
      const current = rows.map((r) => ({ kind: r.kind as GrantKind, subject: r.subject }));
      if (!current.some((g) => g.kind === grant.kind && g.subject === grant.subject)) return false;
      const wider = widening(current, grant);
      if (wider && !options.widen)
        throw new SecretStoreError(
          `not revoked: ${wider} (pass --widen to revoke it anyway, or \`quire secrets rm ${name}\`)`,
        );
      await tx.run('DELETE FROM secret_grants WHERE secret_name = ? AND kind = ? AND subject = ?', [
        name,
        grant.kind,
        grant.subject,
      ]);
      return true;
    });
  }

  /** The sealed values of `names` (absent ones left out), or of every secret. */
  async sealed(names?: readonly string[]): Promise<Map<string, SealedValue>> {
    if (names && names.length === 0) return new Map();
    let rows: SecretRow[];
    try {
      rows = names
        ? await this.db.all<SecretRow>(
            `SELECT name, ciphertext, nonce, key_id FROM secrets WHERE name IN (${names.map(() => '?').join(', ')})`,
            names,
          )
        : await this.db.all<SecretRow>('SELECT name, ciphertext, nonce, key_id FROM secrets');
    } catch (error) {
      // A store read without migrating (openStoreForReading) that predates the table holds none.
      if (isMissingTable(error)) return new Map();
      throw error;
    }
    return new Map(rows.map((row) => [row.name, sealedOf(row)]));
  }

  /** The value of `name`, or undefined when it is not stored. */
  async get(name: string): Promise<string | undefined> {
    const sealed = (await this.sealed([name])).get(name);
    return sealed && openStored(name, sealed, this.keys);
  }

  /**
   * Stores `value` under `name`, encrypted with the key in use (in file mode, the key file is
   * created when the store is empty and there is none yet). Resolves to whether the name is new and
   * the key's id.
   */
  async set(
    name: string,
    value: string,
    options: { updatedBy?: string | null; now?: number } = {},
  ): Promise<{ created: boolean; keyId: string }> {
    checkSecretName(name);
    if (value === '')
      throw new SecretStoreError(`the value of "${name}" is empty: an empty secret is not set`);
    const now = options.now ?? Date.now();
    return this.db.transaction(async (tx) => {
      const used = await lockAndKeyIds(tx);
      let key = this.keys.current();
      if (!key) {
        if (used.length > 0 || this.keys.mode === 'env')
          throw new MasterKeyError(
            `the store holds secrets encrypted with key ${used.join(', ')}, and there is no master key: ` +
              `set QUIRE_MASTER_KEY or restore ${this.keys.file}`,
          );
        key = this.keys.currentOrCreate(newMasterKey);
      }
      refuseMixedKeys(used, key, this.keys);
      const sealed = seal(name, value, key);
      const existed = (await tx.all('SELECT 1 AS one FROM secrets WHERE name = ?', [name])).length > 0;
      await tx.run(
        `INSERT INTO secrets (name, ciphertext, nonce, key_id, created_at, updated_at, updated_by)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, nonce = excluded.nonce,
           key_id = excluded.key_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [name, sealed.ciphertext, sealed.nonce, sealed.keyId, now, now, options.updatedBy ?? null],
      );
      return { created: !existed, keyId: key.id };
    });
  }

  /** Removes `name`; resolves to whether it was there. */
  async remove(name: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await lockAndKeyIds(tx);
      // A secret set again under this name later is a new one: it does not inherit these grants.
      await tx.run('DELETE FROM secret_grants WHERE secret_name = ?', [name]);
      return (await tx.run('DELETE FROM secrets WHERE name = ?', [name])) > 0;
    });
  }

  /** The distinct key ids of the stored values. */
  async keyIds(): Promise<string[]> {
    const rows = await this.db.all<{ key_id: string }>('SELECT DISTINCT key_id FROM secrets ORDER BY key_id');
    return rows.map((r) => r.key_id);
  }

  /**
   * Every value opened with the key it records and sealed again with `to`, in one transaction: any
   * value that does not open (a tampered row, a key not at hand) rolls all of it back, so the store
   * is either entirely under the old key or entirely under `to`. Resolves to the count.
   */
  async reencryptAll(to: MasterKey): Promise<number> {
    return this.db.transaction(async (tx) => {
      await lockAndKeyIds(tx);
      const rows = await tx.all<SecretRow>(
        'SELECT name, ciphertext, nonce, key_id FROM secrets ORDER BY name',
      );
      for (const row of rows) {
        const sealed = seal(row.name, openStored(row.name, sealedOf(row), this.keys), to);
        await tx.run('UPDATE secrets SET ciphertext = ?, nonce = ?, key_id = ? WHERE name = ?', [
          sealed.ciphertext,
          sealed.nonce,
          sealed.keyId,
          row.name,
        ]);
      }
      return rows.length;
    });
  }
}

const isMissingTable = (error: unknown): boolean =>
  (error as { code?: string }).code === '42P01' || /no such table: secret(s|_grants)\b/.test(String(error));

const grantOrder = (a: SecretGrant, b: SecretGrant): number =>
  a.kind !== b.kind
    ? a.kind === 'path'
      ? -1
      : 1
    : a.subject < b.subject
      ? -1
      : a.subject > b.subject
        ? 1
        : 0;

/** Takes the write lock (PostgreSQL; SQLite's transaction holds its own) and reads the key ids in use. */
async function lockAndKeyIds(tx: Db): Promise<string[]> {
  if (tx.dialect === 'postgres') await tx.all(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
  const rows = await tx.all<{ key_id: string }>('SELECT DISTINCT key_id FROM secrets ORDER BY key_id');
  return rows.map((r) => r.key_id);
}

function refuseMixedKeys(used: readonly string[], key: MasterKey, keys: MasterKeys): void {
  const other = used.filter((id) => id !== key.id);
  if (other.length === 0) return;
  const pending = keys.pending();
  const hint =
    pending && other.includes(pending.id)
      ? 'a key rotation was interrupted: run `quire secrets rotate-key` to finish it'
      : 'this is not the key the store was encrypted with';
  throw new MasterKeyError(
    `the stored secrets are encrypted with key ${other.join(', ')}; the master key in use is ${key.id} ` +
      `(${keys.where()}): ${hint}`,
  );
}
