/**
 * The audit log's entry schemas, versioned. An event goes in (`AuditEvent`: the gate's event, the
 * shape of server/events.ts `GateEvent`); an entry comes out: the event with its place in the chain
 * (`schema`, `seq`, `prevHash`, `hash`) and its time normalized to ISO 8601 in UTC with
 * milliseconds (`2026-12-04T17:42:15.123Z`), the only form the log stores and hashes.
 *
 * Versions: an entry's `schema` says which shape it was written in. A change to what an entry
 * holds is a new version beside the old one (`ENTRY_SCHEMAS`), never an edit of it: entries
 * written years ago must still parse and verify. The hash does not depend on the version (it covers
 * every field but `hash`, whatever they are), so a quire that does not know a newer version can
 * still check its entries' hashes.
 *
 * 1: the first entries; `detail` a free-form flat record.
 * 2: the same fields; `detail` fits its event's schema (details.ts, detail version 1).
 */
import { z } from 'zod';
import { detailProblem } from './details.js';

/** The version this quire writes. */
export const AUDIT_SCHEMA = 2;

/** The `prevHash` of the first entry: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex');

/**
 * Text both databases store as it is: no NUL (PostgreSQL's TEXT refuses it) and no lone surrogate
 * (UTF-8 has none: it would come back as U+FFFD, and the entry would no longer match its hash).
 */
const Text = z
  .string()
  .refine(
    (text) => !text.includes('\0') && !/\p{Surrogate}/u.test(text),
    'text without NUL or a lone surrogate',
  );

/** What an event names: `{kind: 'notebook', path}`, `{kind: 'run', id, path?}`, `{kind: 'server'}`… */
export const AuditResource = z.object({ kind: Text.min(1) }).catchall(Text);

/** Small, flat facts (server/events.ts `EventDetail`): ids, names, counts, flags; never code or values. */
export const AuditDetail = z.record(
  z.string(),
  z.union([Text, z.number(), z.boolean(), z.null(), z.array(Text)]),
);

const isoTime = z.string().refine((text) => Number.isFinite(Date.parse(text)), 'an ISO 8601 time');

/** One event to append: what the gate emits. */
export const AuditEvent = z.object({
  /** ISO 8601; normalized to `toISOString()` form when appended */
  time: isoTime,
  /** `login`, `notebook.saved`, `run.started`, `access.denied`… */
  event: Text.min(1),
  /** the user's id; null when nobody is logged in (a failed login) */
  user: Text.nullable(),
  /** the access table's action; null for a public route */
  action: Text.nullable(),
  resource: AuditResource,
  /** `ok`: done; `failed`: allowed but did not succeed; `denied`: refused */
  outcome: z.enum(['ok', 'failed', 'denied']),
  /** the door it came through: `http`, `ws` */
  via: Text.min(1),
  detail: AuditDetail,
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** Version 1 of a stored entry. */
export const AuditEntryV1 = AuditEvent.extend({
  schema: z.literal(1),
  /** 1, 2, 3… with no gap: the entry's place in the chain */
  seq: z.number().int().positive(),
  /** the previous entry's `hash` (`GENESIS_HASH` for seq 1) */
  prevHash: Hash,
  /** sha256 of the entry's canonical form without `hash` (chain.ts) */
  hash: Hash,
});

/** Version 2: version 1's fields, with a detail that fits its event's schema (details.ts). */
export const AuditEntryV2 = AuditEntryV1.extend({ schema: z.literal(2) }).superRefine((entry, ctx) => {
  const problem = detailProblem(entry.event, entry.detail);
  if (problem) ctx.addIssue({ code: 'custom', path: ['detail'], message: problem });
});

/** Every version a stored entry may have been written in. */
export const ENTRY_SCHEMAS = { 1: AuditEntryV1, 2: AuditEntryV2 } as const;

export type AuditEntry = Omit<z.infer<typeof AuditEntryV1>, 'schema'> & { schema: 1 | 2 };

/**
 * An event as the log appends it now: the event's shape (AuditEvent) and a detail that fits its
 * event's schema. Throws naming what does not fit.
 */
export function checkEvent(raw: unknown): AuditEvent {
  const event = AuditEvent.parse(raw);
  const problem = detailProblem(event.event, event.detail);
  if (problem) throw new Error(`audit event: ${problem}`);
  return event;
}

/** An entry read back, checked against the schema of its own version. */
export function parseEntry(raw: unknown): AuditEntry {
  const version = (raw as { schema?: unknown } | null)?.schema;
  const schema = ENTRY_SCHEMAS[version as keyof typeof ENTRY_SCHEMAS];
  if (!schema) throw new Error(`audit entry: unknown schema version ${JSON.stringify(version)}`);
  return schema.parse(raw) as AuditEntry;
}
