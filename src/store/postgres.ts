/**
 * The store on PostgreSQL (`--db postgres://…`), for a server and workers on several machines.
 * Tables live in the `quire` schema, so they never mix with a team's own tables in `public`.
 * BIGINT (milliseconds, counters) comes back as a JS number: every value the store keeps in one
 * is far below 2^53.
 *
 * What a URL leaves out comes from libpq's defaults, as with psql: the user from PGUSER, else the
 * OS user; host, port, database and password from PGHOST, PGPORT, PGDATABASE (else the user
 * name), PGPASSWORD and ~/.pgpass (pg reads those itself); server options from the URL's
 * `options` or PGOPTIONS, which the store extends with its search_path rather than replacing.
 */
import type * as Pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { toPostgresPlaceholders, type Db, type Row, type SqlValue } from './db.js';

const require = createRequire(import.meta.url);

export const SCHEMA = 'quire';

const INT8 = 20;

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // not a URL: only a `user:password@` part could be secret
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

function queries(target: Queryable, label: string) {
  return {
    all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) =>
      (await target.query(toPostgresPlaceholders(sql), [...params])).rows as T[],
    run: async (sql: string, params: readonly SqlValue[] = []) =>
      (await target.query(toPostgresPlaceholders(sql), [...params])).rowCount ?? 0,
    label,
  };
}

class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  readonly all: Db['all'];
  readonly run: Db['run'];

  constructor(
    private readonly pool: Pool,
    readonly label: string,
  ) {
    const q = queries(pool, label);
    this.all = q.all;
    this.run = q.run;
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    // A checked-out client is not the pool's to watch: the server ending its connection between
    // two queries (a restart, pg_terminate_backend) is an 'error' event on it, which without a
    // listener ends the process. Kept here, it fails the transaction, and the client is destroyed
    // rather than returned to the pool.
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost ??= error;
    };
    client.on('error', onError);
    const q = queries(client, this.label);
    const tx: Db = {
      dialect: 'postgres',
      label: this.label,
      all: q.all,
      run: q.run,
      transaction: (inner) => inner(tx),
      close: () => Promise.resolve(),
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * pg falls back to `$USER` for a URL without a user, where libpq takes the user the process runs
 * as: `$USER` is unset under systemd, cron and in many containers, and is not always that user.
 * Set on pg's shared defaults, so the job queue (graphile-worker, which uses the same pg) connects
 * as the same user; PGUSER and a URL's user still come first.
 */
function useOsUserByDefault(pg: typeof Pg): void {
  try {
    pg.defaults.user = userInfo().username;
  } catch {
    // a uid without a passwd entry: libpq would fail here; pg keeps `$USER`
  }
}

/**
 * The URL without its `options` parameter, and the server options to send: the URL's (else
 * PGOPTIONS), then the store's search_path. pg lets a URL's `options` replace the config's, and
 * the config's replace PGOPTIONS, so either way one of them used to be lost.
 */
export function connectionOptions(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
): { connectionString: string; options: string } {
  let connectionString = url;
  let given = env.PGOPTIONS?.trim() || undefined;
  try {
    const parsed = new URL(url);
    const fromUrl = parsed.searchParams.get('options');
    if (fromUrl !== null) {
      parsed.searchParams.delete('options');
      connectionString = parsed.toString();
      given = fromUrl.trim() || undefined;
    }
  } catch {
    // not parseable as a URL: pg gets it as it is, and says what is wrong with it
  }
  // every connection works in the quire schema (created by the first migration)
  return { connectionString, options: [given, `-c search_path=${SCHEMA}`].filter(Boolean).join(' ') };
}

export function openPostgres(url: string, options: { max?: number } = {}): Db {
  const pg = require('pg') as typeof Pg;
  useOsUserByDefault(pg);
  const pool = new pg.Pool({
    ...connectionOptions(url),
    max: options.max ?? 5,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as never,
    },
  });
  // An idle client that loses its server (a restart) emits 'error'; the pool replaces it.
  pool.on('error', () => undefined);
  return new PostgresDb(pool, redactUrl(url));
}
