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
 * Grants (grants.ts) are loaded with the sealed values and checked before a value is opened: a run
 * reads through `forRun(scope)`, whose `get` throws SecretRefusedError. A read not made for a run
 * (no `forRun`) has no notebook path, so a path-granted secret is refused to it too.
 *
 * Must not: keep opened values, or put one in a message.
 */
import { join, resolve } from 'node:path';
import type { Db } from '../store/db.js';
import type { SealedValue } from './crypto.js';
import { decideRead, HOST_USER, type RunUser, type SecretGrant, type SecretScope } from './grants.js';
import { keyFilePath, MasterKeys } from './master-key.js';
import { CompositeSecretSource, EnvSecretSource, SecretRefusedError, type SecretSource } from './source.js';
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
  /**
   * who a read is when its scope names no user (and a read without `forRun`): the host owner for a
   * command on the host; by default nobody (a server's or worker's source: its runs name their user)
   */
  user?: RunUser;
}

const NOT_A_RUN: RunUser = {
  kind: 'nobody',
  why: 'this run has no owner (a queued run queued without one, or a read made outside a run)',
};

export class StoreSecretSource implements SecretSource {
  private sealed = new Map<string, SealedValue>();
  private grants = new Map<string, SecretGrant[]>();
  private failure: Error | undefined;
  /** why `get` last answered undefined for a name the store could not give, for `describe` */
  private readonly problems = new Map<string, string>();

  constructor(private readonly options: StoreSecretSourceOptions) {}

  /**
   * The value, opened now; undefined when the store does not have it — or cannot give it (a wrong
   * key, a tampered value, a store that could not be read, grants that do not cover a read without
   * a run's scope), which `describe` then says. It never throws: the record's list of secrets read
   * asks again after the run.
   */
  get(name: string): string | undefined {
    try {
      return this.read(name, { notebookPath: undefined });
    } catch (error) {
      if (!(error instanceof SecretRefusedError)) throw error;
      this.problems.set(name, error.message);
      return undefined;
    }
  }

  /** This source for one run: a secret its grants do not give the run is refused (a throw). */
  forRun(scope: SecretScope): SecretSource {
    return {
      get: (name) => this.read(name, scope),
      // the audit log's `origin` of a run's read (without it every stored read was `unknown`)
      originOf: () => this.originOf(),
      describe: (name) => this.describe(name),
      prepare: (names) => this.prepare(names),
    };
  }

  /** As `get`, for `scope`; a refusal (checked before the value is opened) throws. */
  private read(name: string, scope: SecretScope): string | undefined {
    const sealed = this.sealed.get(name);
    try {
      if (sealed) {
        const user = scope.user ?? this.options.user ?? NOT_A_RUN;
        const decision = decideRead(name, this.grants.get(name) ?? [], { ...scope, user });
        if (!decision.allowed) throw new SecretRefusedError(name, decision.reason);
        const value = openStored(name, sealed, this.options.keys);
        this.problems.delete(name);
        return value;
      }
      if (this.failure) throw new SecretStoreError(`it could not be read: ${this.failure.message}`);
      this.problems.delete(name);
      return undefined;
    } catch (error) {
      if (error instanceof SecretRefusedError) throw error;
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
      const read = await this.options.withDb(async (db) => {
        const store = new SecretStore(db, this.options.keys);
        return { sealed: await store.sealed(names), grants: await store.grants(names) };
      });
      const found = read?.sealed ?? new Map<string, SealedValue>();
      const grants = read?.grants ?? new Map<string, SecretGrant[]>();
      if (!names) {
        this.sealed = found;
        this.grants = grants;
      } else
        for (const name of names) {
          const sealed = found.get(name);
          if (sealed) this.sealed.set(name, sealed);
          else this.sealed.delete(name);
          const granted = grants.get(name);
          if (granted) this.grants.set(name, granted);
          else this.grants.delete(name);
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
 * reading. Its runs are the host owner's: whoever can run quire here can read the master key and
 * the store, so a user grant would restrict nothing; path grants still apply (grants.ts).
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
    user: HOST_USER,
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
