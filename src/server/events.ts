/**
 * The gate's events: one per state change (a notebook saved, a cell edited, a run started, a
 * login…) and one per refused request, in one shape; plus the end of a queued run, which comes
 * through no door but the server's own job pool (`runFinished`, via `queue`). They feed the audit
 * log (src/audit/, its writer is an EventSink); the server's default sink writes each to the audit
 * log and to the server's structured log. An event never carries a secret or cell code: `detail`
 * holds ids, names, counts and flags.
 */
import { redactEvent } from '../audit/redact.js';
import type { Redactor } from '../outputs/redact.js';
import type { Action, Resource } from './auth.js';
import type { Logger } from '../metrics/log.js';
import type { StoredRun } from '../store/types.js';

/** Small, flat facts about what happened: ids, names, counts, flags; never code or values. */
export type EventDetail = Record<string, string | number | boolean | null | string[]>;

export interface GateEvent {
  /** ISO 8601 */
  time: string;
  /** what happened: `notebook.saved`, `cell.edited`, `run.started`, `login`, `access.denied`… */
  event: string;
  /** the user's id; null when nobody is logged in (a failed login) or nobody asked (a run's end) */
  user: string | null;
  /** the table's action; null for a public route (the login) and for what no request asked for */
  action: Action | null;
  resource: Resource;
  /** `ok`: done; `failed`: allowed but did not succeed (a conflict, a bad body); `denied`: refused */
  outcome: 'ok' | 'failed' | 'denied';
  /**
   * which door it came through; `queue`: the server's job pool, not a request (a run's end);
   * `worker`: a `quire worker` process; `cli`: a command; `disk`: a file changed on disk by
   * someone else (an editor, `git pull`)
   */
  via: 'http' | 'ws' | 'queue' | 'worker' | 'cli' | 'disk';
  detail: EventDetail;
}

/**
 * `run.finished`: a queued run (API, `quire submit`, a schedule, a sweep, a rerun) that this
 * server's pool executed became final, or was failed for having lost its worker too often. Its
 * user is null: the store does not record who queued a run, and the `run.queued` event of an API
 * submission carries the same `runId`. `ok` only for a run that ended `ok`.
 */
export function runFinished(
  run: StoredRun,
  time: Date = new Date(),
  via: 'queue' | 'worker' = 'queue',
): GateEvent {
  return {
    time: time.toISOString(),
    event: 'run.finished',
    user: null,
    action: null,
    resource: { kind: 'run', id: run.id, path: run.path },
    outcome: run.status === 'ok' ? 'ok' : 'failed',
    via,
    detail: {
      runId: run.id,
      status: run.status,
      trigger: run.trigger,
      attempt: run.attempt,
      durationMs: run.durationMs ?? null,
    },
  };
}

/**
 * `run.started`: a queued run that a `quire worker` claimed began its attempt (the editor's runs
 * are the WebSocket's `run.started`). Its user is null, as for `run.finished`.
 */
export function runStarted(
  run: Pick<StoredRun, 'id' | 'path' | 'trigger'>,
  attempt: number,
  worker: string,
  time: Date = new Date(),
): GateEvent {
  return {
    time: time.toISOString(),
    event: 'run.started',
    user: null,
    action: null,
    resource: { kind: 'run', id: run.id, path: run.path },
    outcome: 'ok',
    via: 'worker',
    detail: { runId: run.id, attempt, trigger: run.trigger, worker },
  };
}

/** Where events go. Must not throw, and must return at once (it is on the request's path). */
export interface EventSink {
  emit(event: GateEvent): void;
}

/**
 * The default sink: one `audit` line per event in the server's JSON log (docs/operations.md#logs).
 * With `redactor`, the line's detail passes it as the audit log's entry does (audit/redact.ts).
 */
export function logEventSink(log: Logger, redactor?: Redactor): EventSink {
  return {
    emit: (event) => {
      const { time: _time, ...fields } = redactor ? (redactEvent(event, redactor) as GateEvent) : event;
      log.info('audit', fields);
    },
  };
}

/** One sink that hands each event to every one of `sinks`, in order. */
export function fanOutSink(...sinks: EventSink[]): EventSink {
  return { emit: (event) => sinks.forEach((sink) => sink.emit(event)) };
}

/** A sink that keeps events in memory (tests, benches). */
export function memoryEventSink(): EventSink & { events: GateEvent[] } {
  const events: GateEvent[] = [];
  return { events, emit: (event) => void events.push(event) };
}
