/**
 * The store on PostgreSQL (`--db postgres://…`), for a server and workers on several machines.
 * Tables live in the `quire` schema, so they never mix with a team's own tables in `public`.
 * BIGINT (milliseconds, counters) comes back as a JS number: every value the store keeps in one
 * is far below 2^53.
 */
import type * as Pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import { createRequire } from 'node:module';
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
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export function openPostgres(url: string, options: { max?: number } = {}): Db {
  const pg = require('pg') as typeof Pg;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 5,
    // every connection works in the quire schema (created by the first migration)
    options: `-c search_path=${SCHEMA}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as never,
    },
  });
  // An idle client that loses its server (a restart) emits 'error'; the pool replaces it.
  pool.on('error', () => undefined);
  return new PostgresDb(pool, redactUrl(url));
}
