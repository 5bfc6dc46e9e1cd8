/**
 * `secret.read`: a cell was given a secret's value. A process that runs notebooks wraps its secret
 * source with `auditSecretReads`: each value the engine hands a cell (a `get` with a reader,
 * source.ts `SecretReader`) becomes one event — the secret's name (never its value), the cell, the
 * run or editor session, the notebook, the user who asked for the run, and where the value came
 * from (`env`, `store`) — once per run (or execution of a cell in a session), cell and name.
 *
 * Every value handed out is also registered with `redactor`, the process's: the audit entries and
 * log lines it writes pass it (redact.ts), so a value a cell read never reaches the log through
 * some detail.
 *
 * Where the events go is the caller's: the server's sink, a worker's writer, `quire run`'s store.
 */
import type { SecretRedactor } from '../secrets/redactor.js';
import type { SecretReader, SecretSource } from '../secrets/source.js';
import type { AuditEvent } from './schema.js';

export interface SecretRead extends SecretReader {
  name: string;
  /** `env`, `store`, or `unknown` for a source that does not say */
  origin: 'env' | 'store' | 'unknown';
}

/** Keys remembered for once-only: past this many, the oldest are forgotten (a long-lived server). */
const REMEMBERED = 10_000;

export function auditSecretReads(
  source: SecretSource,
  onRead: (read: SecretRead) => void,
  redactor?: SecretRedactor,
): SecretSource {
  return audited(source, onRead, redactor, new Set<string>());
}

/**
 * `source` with its reads audited; `seen` is shared by the source and each run's view of it
 * (`forRun`), which must be audited too: a wrapper without `forRun` would leave the run unscoped.
 */
function audited(
  source: SecretSource,
  onRead: (read: SecretRead) => void,
  redactor: SecretRedactor | undefined,
  seen: Set<string>,
): SecretSource {
  const wrapped: SecretSource = {
    get(name, reader) {
      const value = source.get(name, reader);
      if (value === undefined || !reader) return value;
      redactor?.register(value);
      const key = JSON.stringify([reader.runId, reader.session, reader.execution, reader.cellId, name]);
      if (seen.has(key)) return value;
      seen.add(key);
      if (seen.size > REMEMBERED) seen.delete(seen.values().next().value!);
      const origin = source.originOf?.(name);
      onRead({ ...reader, name, origin: origin === 'env' || origin === 'store' ? origin : 'unknown' });
      return value;
    },
    describe: (name) => source.describe(name),
  };
  if (source.prepare) wrapped.prepare = (names) => source.prepare!(names);
  if (source.originOf) wrapped.originOf = (name) => source.originOf!(name);
  if (source.forRun) wrapped.forRun = (scope) => audited(source.forRun!(scope), onRead, redactor, seen);
  return wrapped;
}

/**
 * The event of one read. `via` says which process: `ws` (an editor session: its user asked),
 * `queue` (the server's pool), `worker`, `cli`.
 */
export function secretReadEvent(read: SecretRead, via: string, time: Date = new Date()): AuditEvent {
  const user = read.user ?? null;
  return {
    time: time.toISOString(),
    event: 'secret.read',
    user,
    // the action that let the run happen, when a user asked for it
    action: user === null ? null : 'notebook:execute',
    resource:
      read.runId !== undefined
        ? { kind: 'run', id: read.runId, ...(read.path !== undefined ? { path: read.path } : {}) }
        : { kind: 'notebook', path: read.path ?? '' },
    outcome: 'ok',
    via,
    detail: {
      name: read.name,
      cellId: read.cellId,
      origin: read.origin,
      ...(read.runId !== undefined ? { runId: read.runId } : {}),
      ...(read.session !== undefined ? { session: read.session } : {}),
    },
  };
}
