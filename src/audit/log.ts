/**
 * The audit log's table (`audit_log`, store migration 4) on SQLite or PostgreSQL: append, list,
 * verify. There is no update and no delete here or anywhere else; the table's triggers refuse them
 * too.
 *
 * Appends are serialized so the chain stays one line even with several servers on one PostgreSQL
 * database: each append is a transaction that first takes a transaction-scoped advisory lock (a
 * row lock on the newest entry would not exist for the first append, and would not stop two
 * appenders reading the same head), then reads the head and inserts after it. On SQLite the
 * transaction's BEGIN IMMEDIATE already holds the one writer lock. `seq` is the primary key, so
 * even an appender that skipped the lock could not fork the chain: its insert would fail.
 */
import type { Redactor } from '../outputs/redact.js';
import type { Db, Row, SqlValue } from '../store/db.js';
import { appendTo, checkAnchor, verifyChain, EMPTY_CHAIN, type ChainBreak, type ChainHead } from './chain.js';
import { redactEvent } from './redact.js';
import { checkEvent, type AuditEvent, type AuditEntry } from './schema.js';

/** The advisory lock key of appends (migrations take 7242100). */
const APPEND_LOCK = 7242104;

const COLUMNS =
  'seq, schema_version, time_ms, event, user_id, action, resource, outcome, via, detail, prev_hash, hash';

/** Entries read per query while verifying (bounded memory for any length of log). */
const PAGE = 2000;

export interface AuditFilter {
  /** entries at or after this time (ms since the epoch) */
  since?: number;
  user?: string;
  event?: string;
  /** the newest `limit` entries that match (default 100) */
  limit?: number;
}

export type AuditVerification =
  | { ok: true; count: number; head: ChainHead }
  | { ok: false; count: number; head: ChainHead; break: ChainBreak };

function toRow(entry: AuditEntry): SqlValue[] {
  return [
    entry.seq,
    entry.schema,
    Date.parse(entry.time),
    entry.event,
    entry.user,
    entry.action,
    JSON.stringify(entry.resource),
    entry.outcome,
    entry.via,
    JSON.stringify(entry.detail),
    entry.prevHash,
    entry.hash,
  ];
}

/**
 * A row as the entry it stores, without checking it against its schema: verify must see an
 * edited row as it is, to report it, not fail to read it.
 */
function fromRow(row: Row): AuditEntry {
  return {
    schema: Number(row.schema_version),
    seq: Number(row.seq),
    time: new Date(Number(row.time_ms)).toISOString(),
    event: row.event as string,
    user: (row.user_id as string | null) ?? null,
    action: (row.action as string | null) ?? null,
    resource: JSON.parse(row.resource as string) as AuditEntry['resource'],
    outcome: row.outcome as AuditEntry['outcome'],
    via: row.via as string,
    detail: JSON.parse(row.detail as string) as AuditEntry['detail'],
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
  } as AuditEntry;
}

export interface AuditLogOptions {
  /**
   * what every appended event's detail passes before it is stored (redact.ts): the secret values
   * of the process that writes (default: none, for a reader)
   */
  redactor?: Redactor;
}

export class AuditLog {
  constructor(
    readonly db: Db,
    private readonly options: AuditLogOptions = {},
  ) {}

  /**
   * Appends `events` in order as one transaction; resolves to their entries. Throws on a bad
   * event: one that does not fit the schema, or whose detail does not fit its event's (details.ts).
   */
  async append(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    if (events.length === 0) return [];
    const { redactor } = this.options;
    const valid = events.map((event) => {
      const checked = checkEvent(event);
      return redactor ? redactEvent(checked, redactor) : checked;
    });
    return this.db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.all(`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
      const entries = appendTo(await headOf(tx), valid);
      for (const entry of entries)
        await tx.run(
          `INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          toRow(entry),
        );
      return entries;
    });
  }

  /** The newest entry's seq and hash (seq 0 when the log is empty). */
  head(): Promise<ChainHead> {
    return headOf(this.db);
  }

  /** The newest `limit` entries matching `filter`, oldest first. */
  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (clause: string, value: SqlValue): void => {
      where.push(clause);
      params.push(value);
    };
    if (filter.since !== undefined) add('time_ms >= ?', filter.since);
    if (filter.user !== undefined) add('user_id = ?', filter.user);
    if (filter.event !== undefined) add('event = ?', filter.event);
    params.push(filter.limit ?? 100);
    const rows = await this.db.all(
      `SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY seq DESC LIMIT ?`,
      params,
    );
    // As stored, not checked against the schema: a tampered row is still listed (verify names it).
    return rows.reverse().map(fromRow);
  }

  /**
   * Walks the whole log in seq order, a page at a time, and names the first entry that is wrong.
   * With `anchor` (a head recorded earlier), also checks that entry is still there, unchanged.
   */
  async verify(anchor?: ChainHead): Promise<AuditVerification> {
    let from = EMPTY_CHAIN;
    let count = 0;
    let anchorHash: string | undefined;
    const maxSeq = (await this.head()).seq;
    for (;;) {
      const rows = await this.db.all(`SELECT ${COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, [
        from.seq,
        PAGE,
      ]);
      const entries = rows.map(fromRow);
      const check = verifyChain(entries, { from, maxSeq });
      count += check.count;
      if (!check.ok) return { ok: false, count, head: check.head, break: check.break };
      if (anchor) anchorHash ??= entries.find((entry) => entry.seq === anchor.seq)?.hash;
      from = check.head;
      if (rows.length < PAGE) break;
    }
    const brk = anchor ? checkAnchor(anchor, anchorHash, from) : undefined;
    return brk ? { ok: false, count, head: from, break: brk } : { ok: true, count, head: from };
  }
}

async function headOf(db: Db): Promise<ChainHead> {
  const [row] = await db.all<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  return row ? { seq: Number(row.seq), hash: row.hash } : EMPTY_CHAIN;
}
