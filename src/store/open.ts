/**
 * Opens the store a command should use: `--db URL`, else `QUIRE_DB`, else the embedded SQLite at
 * `<workspace>/.quire/quire.db` with blobs in `<workspace>/.quire/blobs/`. Accepted URLs:
 * `postgres://…` / `postgresql://…`, `sqlite:PATH` (relative to the current folder), or a path
 * ending in `.db` / `.sqlite`. Migrations run on open.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DbBlobStore, FileBlobStore } from './blobs.js';
import type { Db } from './db.js';
import { migrate } from './migrations.js';
import { openPostgres, redactUrl } from './postgres.js';
import { RunStore } from './run-store.js';
import { openSqlite } from './sqlite.js';

export class StoreConfigError extends Error {
  override readonly name = 'StoreConfigError';
}

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export function storeLocation(url: string | undefined, workspace: string): StoreLocation {
  const text = url?.trim() || process.env.QUIRE_DB?.trim();
  if (!text) return { kind: 'sqlite', path: join(workspace, '.quire', 'quire.db') };
  if (/^postgres(ql)?:\/\//.test(text)) return { kind: 'postgres', url: text };
  if (text.startsWith('sqlite:')) return { kind: 'sqlite', path: resolve(text.slice('sqlite:'.length)) };
  if (/\.(db|sqlite3?)$/.test(text)) return { kind: 'sqlite', path: resolve(text) };
  throw new StoreConfigError(
    `--db / QUIRE_DB: expected postgres://…, sqlite:PATH or a .db file, got ${JSON.stringify(redactUrl(text))}`,
  );
}

export interface OpenStoreOptions {
  /** `--db` (falls back to QUIRE_DB, then the workspace's embedded store) */
  url?: string;
  workspace: string;
  /** PostgreSQL pool size */
  poolSize?: number;
}

/**
 * The store's database opened only to read, without migrating (so it takes no write lock, and a
 * `quire run` reading its secrets never waits on the run's own recording); undefined when the
 * embedded SQLite file does not exist yet. Tables a newer migration adds may be missing.
 */
export function openStoreForReading(options: OpenStoreOptions): Db | undefined {
  const location = storeLocation(options.url, options.workspace);
  if (location.kind === 'sqlite' && !existsSync(location.path)) return undefined;
  try {
    return location.kind === 'postgres' ? openPostgres(location.url, { max: 1 }) : openSqlite(location.path);
  } catch (error) {
    throw new StoreConfigError(`cannot open the store: ${(error as Error).message}`);
  }
}

export async function openStore(options: OpenStoreOptions): Promise<RunStore> {
  const location = storeLocation(options.url, options.workspace);
  let db: Db;
  try {
    db =
      location.kind === 'postgres'
        ? openPostgres(location.url, options.poolSize ? { max: options.poolSize } : {})
        : openSqlite(location.path);
  } catch (error) {
    throw new StoreConfigError(`cannot open the store: ${(error as Error).message}`);
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw new StoreConfigError(`cannot open the store ${db.label}: ${(error as Error).message}`);
  }
  const blobs =
    location.kind === 'sqlite'
      ? new FileBlobStore(join(dirname(location.path), 'blobs'))
      : new DbBlobStore(db);
  return new RunStore(db, blobs);
}
