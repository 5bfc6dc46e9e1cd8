/**
 * The hash chain (pure: no I/O). Each entry's `hash` is sha256 over the canonical JSON of the
 * entry without `hash` (keys sorted at every level, no whitespace), which includes `seq` and the
 * previous entry's hash (`prevHash`). Editing an entry changes its hash; deleting one leaves a gap
 * in `seq`; moving one changes the `seq` its hash was computed with; rewriting one and its hash
 * breaks the next entry's `prevHash`. Only someone who rewrites every entry from there to the head
 * goes unnoticed, which is what anchoring the head hash elsewhere is for (docs/security.md#audit-log).
 *
 * `appendTo` makes entries from events; `verifyChain` walks entries in `seq` order and names the
 * first one that is wrong, and why. It can continue from where an earlier page stopped, so a
 * caller streams a long log through it page by page.
 */
import { createHash } from 'node:crypto';
import { AUDIT_SCHEMA, GENESIS_HASH, type AuditEntry, type AuditEvent } from './schema.js';

/** Where a chain ends: the last entry's seq and hash (seq 0 and the genesis hash when empty). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_CHAIN: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** JSON with object keys sorted at every level and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error(`canonical JSON: ${value} is not a JSON number`);
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error(`canonical JSON: a ${typeof value} has no JSON form`);
    return text;
  }
  // Plain loops and concatenation: this runs for every entry appended and verified.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return out + ']';
  }
  const object = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(object).sort()) {
    if (object[key] === undefined) continue;
    out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + canonicalJson(object[key]);
  }
  return out + '}';
}

/** The hash an entry must carry: sha256 (hex) of its canonical JSON without `hash`. */
export function entryHash(entry: Omit<AuditEntry, 'hash'> | AuditEntry): string {
  const { hash: _hash, ...rest } = entry as AuditEntry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** `time` as the log stores and hashes it: `toISOString()` (UTC, milliseconds). */
export const normalizeTime = (time: string): string => new Date(Date.parse(time)).toISOString();

/** The entries `events` become after `head`, in order, each chained to the one before. */
export function appendTo(head: ChainHead, events: readonly AuditEvent[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = head;
  for (const event of events) {
    const body = {
      schema: AUDIT_SCHEMA,
      seq: prev.seq + 1,
      time: normalizeTime(event.time),
      event: event.event,
      user: event.user,
      action: event.action,
      resource: event.resource,
      outcome: event.outcome,
      via: event.via,
      detail: event.detail,
      prevHash: prev.hash,
    } as const;
    const entry: AuditEntry = { ...body, hash: entryHash(body) };
    entries.push(entry);
    prev = { seq: entry.seq, hash: entry.hash };
  }
  return entries;
}

/**
 * What is wrong with the first bad entry:
 * - `edited`: its hash does not match its content (a field was changed after it was written);
 * - `deleted`: entries are missing before it (a gap in `seq`), or after the recorded head;
 * - `reordered`: its hash matches its content under another `seq` (rows were moved);
 * - `wrong-prev`: it is intact but does not follow the entry before it (that one was rewritten
 *   with a recomputed hash, or this one was inserted);
 * - `anchor`: the entry at a recorded head has another hash (the log was rewritten up to there).
 */
export type ChainProblem = 'edited' | 'deleted' | 'reordered' | 'wrong-prev' | 'anchor';

export interface ChainBreak {
  /** the first seq that is wrong (for `deleted`: the first one missing) */
  seq: number;
  problem: ChainProblem;
  /** one line for people */
  message: string;
}

export type ChainCheck =
  | { ok: true; head: ChainHead; count: number }
  | { ok: false; head: ChainHead; count: number; break: ChainBreak };

/** How far from its `seq` a moved entry's original `seq` is looked for. */
const REORDER_WINDOW = 10_000;

/** The seq in 1..maxSeq an entry's hash was computed with, near its own; undefined if none. */
function writtenSeq(entry: AuditEntry, maxSeq: number): number | undefined {
  for (let distance = 1; distance <= REORDER_WINDOW; distance++) {
    for (const seq of [entry.seq - distance, entry.seq + distance]) {
      if (seq >= 1 && seq <= maxSeq && entryHash({ ...entry, seq }) === entry.hash) return seq;
    }
  }
  return undefined;
}

export interface VerifyOptions {
  /** the head of the entries checked before these (default: the start of the log) */
  from?: ChainHead;
  /** the highest seq in the log, which bounds the search for a moved entry's place */
  maxSeq?: number;
}

/**
 * Checks `entries` (in the order read, which should be ascending `seq`) as the continuation of
 * `from`. `count` is how many entries were good before the first bad one; `head` is the last good
 * entry.
 */
export function verifyChain(entries: Iterable<AuditEntry>, options: VerifyOptions = {}): ChainCheck {
  let head = options.from ?? EMPTY_CHAIN;
  const maxSeq = options.maxSeq ?? Number.MAX_SAFE_INTEGER;
  let count = 0;
  const broken = (brk: ChainBreak): ChainCheck => ({ ok: false, head, count, break: brk });
  for (const entry of entries) {
    const expected = head.seq + 1;
    if (entry.seq > expected) {
      const last = entry.seq - 1;
      return broken({
        seq: expected,
        problem: 'deleted',
        message:
          last === expected
            ? `entry ${expected} is missing (deleted)`
            : `entries ${expected}–${last} are missing (deleted)`,
      });
    }
    if (entryHash(entry) !== entry.hash) {
      const written = writtenSeq(entry, maxSeq);
      return broken(
        written !== undefined
          ? {
              seq: entry.seq,
              problem: 'reordered',
              message: `entry ${entry.seq} was written as entry ${written} (entries were reordered)`,
            }
          : {
              seq: entry.seq,
              problem: 'edited',
              message: `entry ${entry.seq} does not match its hash (edited after it was written)`,
            },
      );
    }
    if (entry.seq < expected) {
      // an intact entry that comes too late: read out of order, or a duplicate seq
      return broken({
        seq: entry.seq,
        problem: 'reordered',
        message: `entry ${entry.seq} comes after entry ${head.seq} (entries were reordered)`,
      });
    }
    if (entry.prevHash !== head.hash) {
      return broken({
        seq: entry.seq,
        problem: 'wrong-prev',
        message:
          head.seq === 0
            ? `entry ${entry.seq} does not start the chain (its prevHash is not the genesis hash)`
            : `entry ${entry.seq} does not follow entry ${head.seq} (its prevHash is not that entry's hash: ` +
              `entry ${head.seq} was rewritten, or entry ${entry.seq} was inserted)`,
      });
    }
    head = { seq: entry.seq, hash: entry.hash };
    count++;
  }
  return { ok: true, head, count };
}

/**
 * A head recorded earlier (`quire audit verify` prints it) against the log now: the entry at its
 * seq must still be there with the same hash. Catches what the chain alone cannot: the newest
 * entries cut off, or the whole log rewritten with recomputed hashes. `hashAtSeq` is the hash of
 * the entry now at `anchor.seq` (undefined: there is none); `head` is the verified head.
 */
export function checkAnchor(
  anchor: ChainHead,
  hashAtSeq: string | undefined,
  head: ChainHead,
): ChainBreak | undefined {
  if (hashAtSeq === undefined)
    return {
      seq: anchor.seq,
      problem: 'deleted',
      message: `entry ${anchor.seq}, the recorded head, is missing: the log ends at ${head.seq} (entries were deleted)`,
    };
  if (hashAtSeq !== anchor.hash)
    return {
      seq: anchor.seq,
      problem: 'anchor',
      message: `entry ${anchor.seq} has another hash than the recorded head (the log was rewritten up to it)`,
    };
  return undefined;
}
