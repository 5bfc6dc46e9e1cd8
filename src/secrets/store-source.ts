/**
 * The secret store as a `SecretSource`. `get` is synchronous (a cell's secrets are fetched just
 * before it starts), the store is not: the source keeps the *sealed* values it loaded — by the
 * names a run's cells name (`prepare`, awaited by the run before its first cell), or all of them
 * (`load`, at a server's start and then every few seconds for its editor sessions) — and opens one
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
  /** runs `read` on the store's database (opening and closing it, or on one that stays open) */
  withDb: <T>(read: (db: Db) => Promise<T>) => Promise<T>;
}

export class StoreSecretSource implements SecretSource {
  private sealed = new Map<string, SealedValue>();
  private failure: Error | undefined;

  constructor(private readonly options: StoreSecretSourceOptions) {}

  get(name: string): string | undefined {
    const sealed = this.sealed.get(name);
    if (sealed) return openStored(name, sealed, this.options.keys);
    if (this.failure)
      throw new SecretStoreError(
        `secret "${name}": the secret store ${this.options.label} could not be read (${this.failure.message})`,
      );
    return undefined;
  }

  describe(): string {
    return `the secret store ${this.options.label}`;
  }

  async prepare(names: readonly string[]): Promise<void> {
    if (names.length > 0) await this.load(names);
  }

  /** (Re)loads the sealed values of `names`, or of every secret; never rejects (see `get`). */
  async load(names?: readonly string[]): Promise<void> {
    try {
      const found = await this.options.withDb((db) => new SecretStore(db, this.options.keys).sealed(names));
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
      // No store file yet: no secrets in it (an empty database reads the same way).
      if (!db) return read(EMPTY_DB);
      try {
        return await read(db);
      } finally {
        await db.close();
      }
    },
  });
  return new CompositeSecretSource([new EnvSecretSource(env), store]);
}

/** A database with no rows: what a store that does not exist yet holds. */
const EMPTY_DB: Db = {
  dialect: 'sqlite',
  label: 'none',
  all: () => Promise.resolve([]),
  run: () => Promise.resolve(0),
  transaction: (fn) => fn(EMPTY_DB),
  close: () => Promise.resolve(),
};

function storeLabel(dbUrl: string | undefined, workspace: string): string {
  const text = (dbUrl ?? process.env.QUIRE_DB)?.trim();
  if (!text) return join(workspace, '.quire', 'quire.db');
  if (/^postgres(ql)?:\/\//.test(text)) return redactPassword(text);
  return resolve(text.startsWith('sqlite:') ? text.slice('sqlite:'.length) : text);
}

const redactPassword = (url: string): string => url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
