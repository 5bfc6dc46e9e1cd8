/**
 * The one SQL surface the store is written against, so the same queries run on the embedded
 * SQLite and on PostgreSQL. Queries use `?` placeholders (rewritten to `$1…` for PostgreSQL) and
 * the subset both dialects share: INSERT … ON CONFLICT, RETURNING, BIGINT milliseconds for time,
 * TEXT holding JSON.
 */
export type SqlValue = string | number | bigint | boolean | null | Buffer;
export type Row = Record<string, unknown>;

export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  /** a description for messages: the SQLite file, or the PostgreSQL URL without its password */
  readonly label: string;
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** runs a statement; resolves to the number of rows it changed */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** runs `fn` in one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: one pooled client) */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function one<T extends Row = Row>(
  db: Db,
  sql: string,
  params?: readonly SqlValue[],
): Promise<T | undefined> {
  return (await db.all<T>(sql, params))[0];
}

/** `?` → `$1, $2, …`, skipping string literals (the store never puts `?` in identifiers). */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}
