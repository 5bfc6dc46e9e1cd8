/**
 * The secret store as a `SecretSource`. `get` is synchronous (a cell's secrets are fetched just
 * before it starts), the store is not: the source keeps the *sealed* values it loaded — by the
 * names a cell names (`prepare`, awaited by the engine as each cell that names one starts), or
 * all of them (`load`) — and opens one
 * only when `get` asks for it, so a plaintext lives no longer than the run needs it.
 *
 * `hostSecretSource` is what a process that runs notebooks uses: the environment first
 * (`QUIRE_SECRET_<NAME>`, a per-process override), then the store.
 *
 * Must not: keep opened values, or put one in a message.
 */
import { join, resolve } from 'node:path';
import type { Db } from '../store/db.js';
import type { SealedValue } from './crypto.js';
import { keyFilePath, MasterKeys } from './master-key.js';
import { CompositeSecretSource, EnvSecretSource, type SecretSource } from './source.js';
import { openStored, SecretStore, SecretStoreError } from './store.js';

export interface StoreSecretSourceOptions {
  keys: MasterKeys;
  /** the store's description for messages (the SQLite file, the PostgreSQL URL without password) */
  label: string;
  /**
   * the store's database for one read: one that stays open, or opened for it and closed after;
   * undefined when there is no store yet (no secrets)
   */
  withDb: <T>(read: (db: Db) => Promise<T>) => Promise<T | undefined>;
}

export class StoreSecretSource implements SecretSource {
  private sealed = new Map<string, SealedValue>();
  private failure: Error | undefined;
  /** why `get` last answered undefined for a name the store could not give, for `describe` */
  private readonly problems = new Map<string, string>();

  constructor(private readonly options: StoreSecretSourceOptions) {}

  /**
   * The value, opened now; undefined when the store does not have it — or cannot give it (a wrong
   * key, a tampered value, a store that could not be read), which `describe` then says. It never
   * throws: the record's list of secrets read asks again after the run.
   */
  get(name: string): string | undefined {
    const sealed = this.sealed.get(name);
    try {
      if (sealed) {
        const value = openStored(name, sealed, this.options.keys);
        this.problems.delete(name);
        return value;
      }
      if (this.failure) throw new SecretStoreError(`it could not be read: ${this.failure.message}`);
      this.problems.delete(name);
      return undefined;
    } catch (error) {
      this.problems.set(name, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  originOf(): string {
    return 'store';
  }

  describe(name: string): string {
    const problem = this.problems.get(name);
    return `the secret store ${this.options.label}${problem ? `, which cannot give it: ${problem}` : ''}`;
  }

  async prepare(names: readonly string[]): Promise<void> {
    if (names.length > 0) await this.load(names);
  }

  /** (Re)loads the sealed values of `names`, or of every secret; never rejects (see `get`). */
  async load(names?: readonly string[]): Promise<void> {
    try {
      const found =
        (await this.options.withDb((db) => new SecretStore(db, this.options.keys).sealed(names))) ??
        new Map<string, SealedValue>();
      if (!names) this.sealed = found;
      else
        for (const name of names) {
          const sealed = found.get(name);
          if (sealed) this.sealed.set(name, sealed);
          else this.sealed.delete(name);
        }
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
    }
  }
}

export interface HostSecrets {
  /** what runs get: the environment, then the store */
  source: SecretSource;
  /** the store's part, for a long-lived process to `load` again */
  store: StoreSecretSource;
}

/**
 * The secrets of a process that keeps its store open (a server, a worker): the environment, then
 * the store in `db`, with the master key of `workspace` (QUIRE_MASTER_KEY, else its key file).
 */
export function hostSecretSource(
  db: Db,
  workspace: string,
  env: NodeJS.ProcessEnv = process.env,
): HostSecrets {
  const store = new StoreSecretSource({
    keys: new MasterKeys({ file: keyFilePath(workspace), env }),
    label: db.label,
    withDb: (read) => read(db),
  });
  return { source: new CompositeSecretSource([new EnvSecretSource(env), store]), store };
}

/**
 * The secrets of a command that runs notebooks (`quire run`, `sweep`, `rerun`): the environment,
 * then the store of `--db` (or QUIRE_DB, or the workspace's), opened only when a run names a
 * secret the environment does not have (CompositeSecretSource.prepare), and closed again after
 * reading.
 */
export function commandSecretSource(
  dbUrl: string | undefined,
  workspace: string,
  env: NodeJS.ProcessEnv = process.env,
): SecretSource {
  const store = new StoreSecretSource({
    keys: new MasterKeys({ file: keyFilePath(workspace), env }),
    label: storeLabel(dbUrl, workspace),
    withDb: async (read) => {
      const { openStoreForReading } = await import('../store/open.js');
      const db = openStoreForReading({ ...(dbUrl ? { url: dbUrl } : {}), workspace });
      if (!db) return undefined; // no store file yet: no secrets
      try {
        return await read(db);
      } finally {
        await db.close();
      }
    },
  });
  return new CompositeSecretSource([new EnvSecretSource(env), store]);
}

function storeLabel(dbUrl: string | undefined, workspace: string): string {
  const text = (dbUrl ?? process.env.QUIRE_DB)?.trim();
  if (!text) return join(workspace, '.quire', 'quire.db');
  if (/^postgres(ql)?:\/\//.test(text)) return redactPassword(text);
  return resolve(text.startsWith('sqlite:') ? text.slice('sqlite:'.length) : text);
}

const redactPassword = (url: string): string => url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
