/**
 * Every audit entry passes the secret redactor before it is stored (DESIGN §6): the writers give
 * the log a redactor (AuditLog's `redactor`) — a server's holds every value its runs and sessions
 * were given and the environment's secrets, a command's the environment's and the store's. Details
 * carry names and ids, not values, so this is the net under a mistake: a value typed as a cell's
 * name, a secret pasted into a schedule's timezone.
 *
 * Only user content is rewritten: a detail field that holds quire's own vocabulary or an id
 * (`OWN_FIELDS`: statuses, run and cell ids, versions, origins) is kept, so a two-letter secret
 * that happens to be `ok` cannot turn a status into `[REDACTED]`. The entry's other fields (event,
 * user id, action, resource, outcome, via, time) are the record's own and are never rewritten.
 */
import type { Redactor } from '../outputs/redact.js';
import type { AuditEvent } from './schema.js';

/** Detail fields whose values are ids or quire's own words, never user content. */
export const OWN_FIELDS: ReadonlySet<string> = new Set([
  'status',
  'created',
  'raw',
  'version',
  'ended',
  'route',
  'command',
  'index',
  'language',
  'scope',
  'cellId',
  'runId',
  'attempt',
  'trigger',
  'worker',
  'durationMs',
  'format',
  'origin',
  'session',
  'keyId',
  'from',
  'to',
  'count',
  'role',
  'sessionsEnded',
  'expiresAt',
  'fields',
  'change',
]);

function redactValue(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redactor));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, redactor)]));
  return value;
}

/** `event` with every user-content string of its detail through `redactor`. */
export function redactEvent(event: AuditEvent, redactor: Redactor): AuditEvent {
  const detail: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.detail))
    detail[key] = OWN_FIELDS.has(key) ? value : redactValue(value, redactor);
  return { ...event, detail: detail as AuditEvent['detail'] };
}
