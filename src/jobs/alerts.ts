/**
 * Failure alerts (issue 4): when a run becomes final the executor calls `runFinal(run)`.
 *
 * - error / timeout: a `failure` webhook POST, unless an alert with the same fingerprint (notebook +
 *   normalized error line, see fingerprint.ts) went out for this notebook within the window while it
 *   has been failing; then the failure is only counted (`deduplicated`).
 * - ok: one `recovered` POST when the notebook is failing (a failure alert went out and no success
 *   since), then the notebook is no longer failing.
 * - cancelled: nothing; a person stopped the run.
 *
 * The state lives in the store (`alert_state`, one row per notebook), so several servers and
 * workers share it. Check-and-mark happens in one transaction that locks the notebook's row, and
 * the mark is written before the POST: of two processes finishing runs of one notebook at once,
 * exactly one sends. A delivery that fails after its retries keeps the mark (no second POST within
 * the window; a webhook that is down must not turn every later failure into a retry storm); it is
 * logged, counted through `onSend(kind, 'failed')` and recorded as the row's `last_outcome`.
 *
 * Must not: throw to the caller, or change the run. `runFinal` always resolves; the webhook URL (a
 * credential) is never logged.
 */
import type { Db } from '../store/db.js';
import type { RunState, StoredRun } from '../store/types.js';
import type { AlertConfig } from './alert-config.js';
import { failureFingerprint } from './fingerprint.js';

export type AlertKind = 'failure' | 'recovered';
export type AlertOutcome = 'sent' | 'failed' | 'deduplicated';

export interface AlertLogEntry {
  level: 'info' | 'warn';
  message: string;
  [field: string]: unknown;
}

export interface AlertsOptions {
  /** the store's database (migration 2 holds `alert_state`) */
  db: Db;
  config: AlertConfig;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  /** waits between delivery attempts; tests pass one that returns at once */
  sleep?: (ms: number) => Promise<void>;
  /** 0 ≤ x < 1, for the backoff jitter */
  random?: () => number;
  log?: (entry: AlertLogEntry) => void;
  /** every outcome, for metrics */
  onSend?: (kind: AlertKind, outcome: AlertOutcome) => void;
  /** applied to the run's error before it is fingerprinted or sent */
  redact?: (text: string) => string;
}

/** One notebook's row of `alert_state`. */
export interface AlertState {
  /** a failure alert went out and no success has come since */
  failing: boolean;
  /** of the last failure alert sent */
  fingerprint?: string;
  /** when the first failure of the current failing stretch finished */
  failingSince?: number;
  lastSentAt?: number;
  /** the run the last alert was about */
  lastRunId?: string;
  lastOutcome?: 'pending' | 'sent' | 'failed';
  /** failures deduplicated since the last alert */
  suppressed: number;
}

export interface FinalEvent {
  status: RunState;
  /** of a failed run */
  fingerprint?: string;
  runId: string;
  finishedAt: number;
}

export type Decision =
  | { action: 'none' }
  | { action: 'deduplicate'; state: AlertState }
  | { action: 'send'; kind: 'failure'; state: AlertState; repeats: number }
  | { action: 'send'; kind: 'recovered'; state: AlertState; failingSince: number };

/** What a final run means for a notebook's alert state (pure: the transaction carries it out). */
export function decide(
  state: AlertState | undefined,
  event: FinalEvent,
  now: number,
  windowMs: number,
): Decision {
  if ((event.status === 'error' || event.status === 'timeout') && event.fingerprint !== undefined) {
    const same = state?.failing === true && state.fingerprint === event.fingerprint;
    if (same && state.lastSentAt !== undefined && now - state.lastSentAt < windowMs) {
      return { action: 'deduplicate', state: { ...state, suppressed: state.suppressed + 1 } };
    }
    return {
      action: 'send',
      kind: 'failure',
      repeats: same ? state.suppressed : 0,
      state: {
        failing: true,
        fingerprint: event.fingerprint,
        failingSince: state?.failing ? (state.failingSince ?? event.finishedAt) : event.finishedAt,
        lastSentAt: now,
        lastRunId: event.runId,
        lastOutcome: 'pending',
        suppressed: 0,
      },
    };
  }
  // A success that finished before the failure (runs of one notebook overlap) is no recovery.
  if (event.status === 'ok' && state?.failing && event.finishedAt >= (state.failingSince ?? 0)) {
    return {
      action: 'send',
      kind: 'recovered',
      failingSince: state.failingSince ?? event.finishedAt,
      state: {
        failing: false,
        fingerprint: state.fingerprint,
        lastSentAt: now,
        lastRunId: event.runId,
        lastOutcome: 'pending',
        suppressed: 0,
      },
    };
  }
  return { action: 'none' };
}

const STATE_COLUMNS =
  'failing, fingerprint, failing_since, last_sent_at, last_run_id, last_outcome, suppressed';

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

function stateFromRow(row: Record<string, unknown>): AlertState {
  return {
    failing: Number(row.failing) === 1,
    fingerprint: str(row.fingerprint),
    failingSince: num(row.failing_since),
    lastSentAt: num(row.last_sent_at),
    lastRunId: str(row.last_run_id),
    lastOutcome: str(row.last_outcome) as AlertState['lastOutcome'],
    suppressed: Number(row.suppressed ?? 0),
  };
}

/**
 * Reads a notebook's state and locks its row until the transaction ends (the no-op update takes
 * the row lock on PostgreSQL, where a plain SELECT would let a second server read the same state;
 * SQLite's BEGIN IMMEDIATE already serializes writers). A failure creates the row; a success only
 * locks a failing one, so notebooks that never failed get no row.
 */
async function lockState(tx: Db, path: string, failure: boolean): Promise<AlertState | undefined> {
  const rows = failure
    ? await tx.all(
        `INSERT INTO alert_state (notebook_path) VALUES (?)
         ON CONFLICT (notebook_path) DO UPDATE SET notebook_path = excluded.notebook_path
         RETURNING ${STATE_COLUMNS}`,
        [path],
      )
    : await tx.all(
        `UPDATE alert_state SET notebook_path = notebook_path WHERE notebook_path = ? AND failing = 1
         RETURNING ${STATE_COLUMNS}`,
        [path],
      );
  return rows[0] ? stateFromRow(rows[0]) : undefined;
}

function writeState(tx: Db, path: string, s: AlertState): Promise<number> {
  return tx.run(
    `UPDATE alert_state SET failing = ?, fingerprint = ?, failing_since = ?, last_sent_at = ?, last_run_id = ?,
       last_outcome = ?, suppressed = ?
     WHERE notebook_path = ?`,
    [
      s.failing ? 1 : 0,
      s.fingerprint ?? null,
      s.failingSince ?? null,
      s.lastSentAt ?? null,
      s.lastRunId ?? null,
      s.lastOutcome ?? null,
      s.suppressed,
      path,
    ],
  );
}

/** Reads a notebook's alert state (for tests and status pages); undefined when it never failed. */
export async function alertState(db: Db, path: string): Promise<AlertState | undefined> {
  const rows = await db.all(`SELECT ${STATE_COLUMNS} FROM alert_state WHERE notebook_path = ?`, [path]);
  return rows[0] ? stateFromRow(rows[0]) : undefined;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** Longest error text sent: the error is one line, but a line can hold a whole stack. */
const MAX_ERROR = 2000;
const BACKOFF_BASE_MS = 1000;
const MAX_RETRY_AFTER_MS = 60_000;

/** One POST's result. */
type PostResult = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

/** `Retry-After` in seconds or as an HTTP date, capped; undefined when absent or unreadable. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** The webhook's origin: enough to tell which service is down, without the token in its path. */
function webhookLabel(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'webhook';
  }
}

export class Alerts {
  private readonly db: Db;
  private readonly config: AlertConfig;
  private readonly fetch: typeof globalThis.fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly log: (entry: AlertLogEntry) => void;
  private readonly onSend: (kind: AlertKind, outcome: AlertOutcome) => void;
  private readonly redact: (text: string) => string;
  private readonly pending = new Set<Promise<void>>();

  constructor(options: AlertsOptions) {
    this.db = options.db;
    this.config = options.config;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.log = options.log ?? defaultLog;
    this.onSend = options.onSend ?? (() => undefined);
    this.redact = options.redact ?? ((text) => text);
  }

  /**
   * Call once when `run` becomes final. Resolves when the alert (if any) is delivered or given up
   * on — after the retries that can take ~retries × (timeout + backoff), so the executor need not
   * wait for it; it never rejects.
   */
  runFinal(run: StoredRun): Promise<void> {
    const task = this.handle(run).catch((error: unknown) => {
      this.log({
        level: 'warn',
        message: 'alert not handled: the store failed',
        notebook: run.path,
        runId: run.id,
        reason: (error as Error).message,
      });
      // a failure went unreported; for a success it is unknown whether a recovery was due
      if (run.status === 'error' || run.status === 'timeout') this.report('failure', 'failed');
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
    return task;
  }

  /** Waits for every alert in flight (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async handle(run: StoredRun): Promise<void> {
    const failed = run.status === 'error' || run.status === 'timeout';
    if (!failed && run.status !== 'ok') return;
    const error = failed ? this.redact(run.error ?? `the run ended with status ${run.status}`) : undefined;
    const now = this.now();
    const event: FinalEvent = {
      status: run.status,
      fingerprint: error === undefined ? undefined : failureFingerprint(run.path, error),
      runId: run.id,
      finishedAt: run.finishedAt ?? now,
    };
    const decision = await this.db.transaction(async (tx) => {
      const d = decide(await lockState(tx, run.path, failed), event, now, this.config.windowMs);
      if (d.action !== 'none') await writeState(tx, run.path, d.state);
      return d;
    });
    if (decision.action === 'none') return;
    if (decision.action === 'deduplicate') {
      this.log({ level: 'info', message: 'failure alert deduplicated', notebook: run.path, runId: run.id });
      this.report('failure', 'deduplicated');
      return;
    }
    const payload =
      decision.kind === 'failure'
        ? this.failurePayload(run, error ?? '', event.fingerprint ?? '', decision.repeats, now)
        : this.recoveredPayload(run, decision.failingSince, now);
    const ok = await this.deliver(decision.kind, payload, run);
    await this.db
      .run(
        'UPDATE alert_state SET last_outcome = ? WHERE notebook_path = ? AND last_run_id = ? AND last_sent_at = ?',
        [ok ? 'sent' : 'failed', run.path, run.id, now],
      )
      .catch(() => undefined); // only bookkeeping: the outcome was already logged and counted
  }

  private link(run: StoredRun): string | null {
    return this.config.baseUrl ? `${this.config.baseUrl}/runs/${encodeURIComponent(run.id)}` : null;
  }

  private common(run: StoredRun) {
    return {
      notebook: { path: run.path, title: run.title ?? null },
      run: {
        id: run.id,
        status: run.status,
        trigger: run.trigger,
        attempt: run.attempt,
        startedAt: iso(run.startedAt),
        finishedAt: iso(run.finishedAt),
      },
      link: this.link(run),
    };
  }

  private failurePayload(run: StoredRun, error: string, fingerprint: string, repeats: number, now: number) {
    const text = error.length > MAX_ERROR ? `${error.slice(0, MAX_ERROR)}…` : error;
    const link = this.link(run);
    return {
      kind: 'failure' as const,
      // `text` lets Slack, Mattermost and Teams-style webhooks show the alert without a bridge
      text: `Quire: ${run.title ?? run.path} failed (${run.status}): ${text}${link ? ` ${link}` : ''}`,
      ...this.common(run),
      error: text,
      fingerprint,
      /** failures with this fingerprint deduplicated since its previous alert */
      repeats,
      sentAt: iso(now),
    };
  }

  private recoveredPayload(run: StoredRun, failingSince: number, now: number) {
    const link = this.link(run);
    return {
      kind: 'recovered' as const,
      text: `Quire: ${run.title ?? run.path} recovered (failing since ${iso(failingSince)})${link ? ` ${link}` : ''}`,
      ...this.common(run),
      failingSince: iso(failingSince),
      sentAt: iso(now),
    };
  }

  /** POSTs with retries; true when the webhook took it. */
  private async deliver(kind: AlertKind, payload: object, run: StoredRun): Promise<boolean> {
    const body = JSON.stringify(payload);
    const attempts = this.config.retries + 1;
    for (let attempt = 1; ; attempt++) {
      const result = await this.post(body);
      if (result.ok) {
        this.log({
          level: 'info',
          message: `${kind} alert sent`,
          notebook: run.path,
          runId: run.id,
          attempt,
        });
        this.report(kind, 'sent');
        return true;
      }
      if (!result.retry || attempt >= attempts) {
        this.log({
          level: 'warn',
          message: `${kind} alert not delivered`,
          notebook: run.path,
          runId: run.id,
          webhook: webhookLabel(this.config.url),
          attempts: attempt,
          reason: result.reason,
        });
        this.report(kind, 'failed');
        return false;
      }
      // exponential backoff (1 s, 2 s, 4 s, …) ± 20 % so that servers that failed together do not
      // retry together; a Retry-After from the webhook is honoured when longer
      const backoff = BACKOFF_BASE_MS * 2 ** (attempt - 1) * (0.8 + 0.4 * this.random());
      await this.sleep(Math.round(Math.max(backoff, result.retryAfterMs ?? 0)));
    }
  }

  private async post(body: string): Promise<PostResult> {
    try {
      const response = await this.fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'quire-alerts' },
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
        // a redirected POST would arrive as a GET without its body: report it instead
        redirect: 'manual',
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { ok: true };
      const retry = response.status === 429 || response.status >= 500;
      const after = retry ? retryAfterMs(response.headers.get('retry-after'), this.now()) : undefined;
      return {
        ok: false,
        retry,
        reason: `HTTP ${response.status}`,
        ...(after !== undefined ? { retryAfterMs: after } : {}),
      };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const reason =
        e.name === 'TimeoutError'
          ? `no response within ${this.config.timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message);
      // never let the URL (a credential) into a log line through an error message
      return { ok: false, retry: true, reason: reason.split(this.config.url).join('<webhook>') };
    }
  }

  private report(kind: AlertKind, outcome: AlertOutcome): void {
    try {
      this.onSend(kind, outcome);
    } catch {
      // a metrics callback must not turn into an alert failure
    }
  }
}

/** Without a logger, warnings go to stderr as one line; info is dropped. */
function defaultLog(entry: AlertLogEntry): void {
  if (entry.level !== 'warn') return;
  const { level: _level, message, ...fields } = entry;
  process.stderr.write(`quire alerts: ${message} ${JSON.stringify(fields)}\n`);
}
