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
 *
 * This module ties the parts together: the policy (alert-policy.ts, pure), the state in the store
 * (alert-state.ts, SQL) and the webhook (alert-webhook.ts, HTTP).
 */
import type { Db } from '../store/db.js';
import type { StoredRun } from '../store/types.js';
import type { AlertConfig } from './alert-config.js';
import { decide, type AlertKind, type AlertOutcome, type FinalEvent } from './alert-policy.js';
import { lockState, recordOutcome, writeState } from './alert-state.js';
import { failurePayload, postAlert, recoveredPayload, webhookLabel } from './alert-webhook.js';
import { failureFingerprint } from './fingerprint.js';

export {
  decide,
  type AlertKind,
  type AlertOutcome,
  type AlertState,
  type Decision,
  type FinalEvent,
} from './alert-policy.js';
export { alertState } from './alert-state.js';

const BACKOFF_BASE_MS = 1000;

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
        ? failurePayload(
            run,
            this.config.baseUrl,
            error ?? '',
            event.fingerprint ?? '',
            decision.repeats,
            now,
          )
        : recoveredPayload(run, this.config.baseUrl, decision.failingSince, now);
    const ok = await this.deliver(decision.kind, payload, run);
    // only bookkeeping: the outcome was already logged and counted
    await recordOutcome(this.db, run.path, run.id, now, ok ? 'sent' : 'failed').catch(() => undefined);
  }

  /** POSTs with retries; true when the webhook took it. */
  private async deliver(kind: AlertKind, payload: object, run: StoredRun): Promise<boolean> {
    const body = JSON.stringify(payload);
    const attempts = this.config.retries + 1;
    for (let attempt = 1; ; attempt++) {
      const result = await postAlert(this.fetch, this.config, body, this.now);
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
