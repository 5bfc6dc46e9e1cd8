/**
 * What each event's `detail` holds, one zod schema per event name (pure: no I/O). Entry schema 2
 * (schema.ts) is "an entry of version 1 whose detail fits its event's schema here": the log
 * refuses an event it has no schema for, or whose detail does not fit, so a new event (or a new
 * field of one) without its schema fails the first test that records it, and a detail never grows
 * a field nobody meant it to carry (a value, some code).
 *
 * Versions: this table is the detail version 1, written with entry schema 2. Changing what an
 * event's detail holds is a new table under a new entry schema (an edit here would make entries
 * already written fail to parse); entries of schema 1 were written before details had schemas and
 * are read as free-form records. `quire audit verify` checks hashes only, so every version verifies.
 *
 * Details are names, ids, counts, flags and times: never a secret's value, a cell's code or a
 * param's value (the writers redact detail strings anyway: redact.ts).
 */
import { z } from 'zod';

/** A string both databases store as it is (schema.ts `Text`), repeated here to avoid an import circle. */
const text = z
  .string()
  .refine(
    (value) => !value.includes('\0') && !/\p{Surrogate}/u.test(value),
    'text without NUL or a lone surrogate',
  );
const id = text.min(1);
const count = z.number().int().nonnegative();
/** an HTTP status: the gate adds it to every route's event */
const status = z.number().int().min(100).max(599);
/** the OS account of a command-line change (cli/audit-trail.ts) */
const osUser = text.nullable();

const detail = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

/** Detail version 1: event name → the schema of its detail. */
export const EVENT_DETAILS_V1 = {
  // ---- the gate: routes (`status`, plus what the handler set) and WebSocket commands ----
  // `via: 'oidc'` and `created` (an account made at its first single sign-on) from the provider's callback
  login: detail({ status, via: id.optional(), created: z.boolean().optional(), refused: text.optional() }),
  setup: detail({ status, setup: z.boolean().optional() }),
  logout: detail({ status, ended: z.boolean().optional() }),
  'access.denied': detail({ route: id.optional(), command: id.optional() }),
  'notebook.opened': detail({}),
  'notebook.saved': detail({
    status: status.optional(),
    created: z.boolean().optional(),
    raw: z.boolean().optional(),
    version: id.optional(),
  }),
  'notebook.deleted': detail({ status, version: id.optional() }),
  'notebook.reverted': detail({}),
  'cell.edited': detail({ cellId: id }),
  'cell.inserted': detail({ index: count, language: id }),
  'cell.deleted': detail({ cellId: id }),
  'cell.moved': detail({ cellId: id, index: count }),
  'cell.renamed': detail({ cellId: id, name: text }),
  'params.changed': detail({ names: z.array(text) }),
  'run.queued': detail({ status, runId: id.optional() }),
  /** an editor's run command (`scope`), or a queued run a worker started (`runId`, `attempt`) */
  'run.started': detail({
    scope: z.enum(['cell', 'all', 'stale']).optional(),
    cellId: id.optional(),
    runId: id.optional(),
    attempt: count.optional(),
    trigger: id.optional(),
    worker: id.optional(),
  }),
  'run.interrupted': detail({}),
  'run.finished': detail({
    runId: id,
    status: id,
    trigger: id,
    attempt: count,
    durationMs: z.number().nonnegative().nullable(),
    worker: id.optional(),
  }),
  /** a run's report (or another rendering of it) left the server */
  export: detail({ status, runId: id.optional(), format: id.optional() }),
  /** a cell was given a secret's value: which one, from where; never the value */
  'secret.read': detail({
    name: id,
    cellId: id,
    origin: z.enum(['env', 'store', 'unknown']),
    runId: id.optional(),
    session: id.optional(),
    osUser: osUser.optional(),
  }),
  /** a notebook's `schedule:` appeared, changed or went (a save, a delete, a change on disk) */
  'schedule.changed': detail({
    change: z.enum(['added', 'changed', 'removed']),
    oldCron: text.nullable(),
    oldTimezone: text.nullable(),
    newCron: text.nullable(),
    newTimezone: text.nullable(),
    /** the keys of `schedule` that differ (names, not values: params may be sensitive) */
    fields: z.array(text),
  }),
  // ---- the command line (cli/audit-trail.ts: `osUser` on every one) ----
  'secret.written': detail({ created: z.boolean(), keyId: id, osUser }),
  'secret.removed': detail({ osUser }),
  'secret.key-rotated': detail({ count, from: id.nullable(), to: id, osUser }),
  'user.added': detail({ role: id, osUser }),
  'user.password-changed': detail({ sessionsEnded: count, osUser }),
  'user.role-changed': detail({ role: id, osUser }),
  'user.disabled': detail({ osUser }),
  'user.enabled': detail({ osUser }),
  'token.created': detail({ user: id, scope: id, expiresAt: z.number().nullable(), osUser }),
  'token.revoked': detail({ osUser }),
  'grant.added': detail({ path: text, subject: text, level: id, osUser }),
  'grant.removed': detail({ path: text, subject: text, level: id, osUser }),
  'user.groups-changed': detail({ groups: text, osUser }),
  'notebook.locked': detail({ reason: text.nullable(), osUser }),
  'notebook.unlocked': detail({ osUser }),
  'secret.granted': detail({ path: text.optional(), userId: id.optional(), user: text.optional(), osUser }),
  'secret.revoked': detail({
    path: text.optional(),
    userId: id.optional(),
    user: text.optional(),
    widen: z.boolean(),
    osUser,
  }),
} as const satisfies Record<string, z.ZodType>;

export type KnownEvent = keyof typeof EVENT_DETAILS_V1;

/** Why `detail` does not fit `event`'s schema (one line), or undefined when it does. */
export function detailProblem(event: string, detail: unknown): string | undefined {
  const schema = (EVENT_DETAILS_V1 as Record<string, z.ZodType>)[event];
  if (!schema) return `no detail schema for the event "${event}" (audit/details.ts)`;
  const checked = schema.safeParse(detail);
  if (checked.success) return undefined;
  const issues = checked.error.issues.map((i) => `${i.path.join('.') || 'detail'}: ${i.message}`);
  return `the detail of "${event}" does not fit its schema: ${issues.join('; ')}`;
}
