/**
 * The run store: every run of every kind (CLI, editor, schedule, API, sweep, rerun) with its
 * attempts and content-addressed artifacts, on SQLite or PostgreSQL alike.
 *
 * Life of a run: `create` (queued, or running for a run that starts at once) → `claim` (running,
 * attempt + 1, a lease) → `heartbeat`s → `finish` (final) or `retry` (queued again, not before a
 * backoff). The attempt number is the fencing token: `heartbeat`, `finish` and `retry` only take
 * effect while the row still has that attempt and is running, so an attempt whose lease expired
 * (its worker was cut off, then came back) cannot overwrite the attempt that replaced it.
 */
import { newRunId } from '../shared/ids.js';
import { one, type Db, type SqlValue } from './db.js';
import type { BlobStore } from './blobs.js';
import { attemptFromRow, runFromRow } from './rows.js';
import type { Artifact, RunState, StoredAttempt, StoredRun, Trigger } from './types.js';
import type { ParamValue } from '../format/types.js';

export interface NewRun {
  id?: string;
  path: string;
  /** the exact notebook source: stored as a blob, its sha256 is the run's `sha256` */
  source: string;
  title?: string;
  trigger: Trigger;
  params: Record<string, ParamValue>;
  /** `running` claims the first attempt at once (a `quire run` or an editor run) */
  status?: 'queued' | 'running';
  worker?: string;
  maxAttempts?: number;
  timeoutMs?: number;
  notBefore?: number;
  sweepId?: string;
  /** unique: a second run with the same key is not created (`create` resolves to undefined) */
  scheduleKey?: string;
  scheduledFor?: number;
  rerunOf?: string;
  /** the lease of a run created `running`; default 1 h (a process that records as it goes) */
  leaseMs?: number;
  now?: number;
  /** the user the run runs as (a queued or scheduled run; checked again when it starts) */
  ownerId?: string;
  /**
   * The owner's quota: the run is not created when the owner already has this many runs queued or
   * running (RunQuotaError). Counted in the transaction that inserts, under a per-owner lock.
   */
  ownerLimit?: number;
}

/** A user's quota of runs in flight is used up: the run was not created. */
export class RunQuotaError extends Error {
  override readonly name = 'RunQuotaError';
  constructor(
    readonly limit: number,
    /** the owner's runs queued or running now, newest first (at most 10) */
    readonly inFlight: readonly StoredRun[],
    readonly count: number,
  ) {
    const shown = inFlight.map((r) => `${r.id} (${r.path}, ${r.status})`).join(', ');
    super(
      `quota: you have ${count} run${count === 1 ? '' : 's'} queued or running` +
        `${shown ? `: ${shown}${count > inFlight.length ? ', …' : ''}` : ''}; ` +
        `the limit is ${limit} per user (quotas.runsPerUser in quire.config.json, or quire serve --runs-per-user): wait for one to end or cancel one`,
    );
  }
}

export interface FinalResult {
  status: Exclude<RunState, 'queued' | 'running'>;
  durationMs?: number;
  error?: string;
  /** the run record (outputs already stored as blobs, see run-artifacts.ts) */
  recordSha256?: string;
  reportSha256?: string;
  artifacts?: Artifact[];
  metrics?: Record<string, number>;
  now?: number;
}

export interface RunFilter {
  path?: string;
  sweepId?: string;
  status?: RunState;
  trigger?: Trigger;
  limit?: number;
  /**
   * Only runs after this one in the list's order (newest first): the next page starts below the
   * last run of the one before. A keyset, not an offset: runs created meanwhile do not shift it.
   */
  before?: { createdAt: number; id: string };
}

export { newRunId } from '../shared/ids.js';

const COLUMNS = `id, notebook_path, notebook_sha256, title, trigger, status, params, created_at, started_at,
  finished_at, duration_ms, attempt, max_attempts, timeout_ms, not_before, worker, lease_expires_at,
  error, record_sha256, report_sha256, sweep_id, schedule_key, scheduled_for, rerun_of, metrics, owner_id`;

const IN_FLIGHT = "status IN ('queued', 'running')";

export interface LostRuns {
  requeued: StoredRun[];
  failed: StoredRun[];
}

/** How a process names itself as a run's worker: `cli@host:pid`, `server@host:pid`, `worker@host:pid`. */
export const workerName = (kind: string, host: string, pid = process.pid): string => `${kind}@${host}:${pid}`;

function localPid(worker: string | undefined, host: string): number | undefined {
  const match = worker ? /^[\w-]+@(.+):(\d+)$/.exec(worker) : null;
  return match && match[1] === host ? Number(match[2]) : undefined;
}

/** runs that came through the queue, which a lost attempt can go back to */
const QUEUED_TRIGGERS: readonly string[] = ['schedule', 'submit', 'api'];

const DEFAULT_LEASE_MS = 60 * 60 * 1000;

export class RunStore {
  constructor(
    readonly db: Db,
    readonly blobs: BlobStore,
  ) {}

  /** Records a new run; undefined when its `scheduleKey` is taken (that slot already has a run). */
  async create(run: NewRun): Promise<StoredRun | undefined> {
    const now = run.now ?? Date.now();
    const id = run.id ?? newRunId(new Date(now));
    const source = await this.blobs.put(run.source);
    const running = run.status === 'running';
    const values: SqlValue[] = [
      id,
      run.path,
      source.sha256,
      run.title ?? null,
      run.trigger,
      running ? 'running' : 'queued',
      JSON.stringify(run.params),
      now,
      running ? now : null,
      running ? 1 : 0,
      run.maxAttempts ?? 1,
      run.timeoutMs ?? null,
      run.notBefore ?? null,
      running ? (run.worker ?? null) : null,
      running ? now + (run.leaseMs ?? DEFAULT_LEASE_MS) : null,
      run.sweepId ?? null,
      run.scheduleKey ?? null,
      run.scheduledFor ?? null,
      run.rerunOf ?? null,
      run.ownerId ?? null,
    ];
    return this.db.transaction(async (tx) => {
      if (run.ownerId !== undefined && run.ownerLimit !== undefined)
        await this.checkOwnerQuota(tx, run.ownerId, run.ownerLimit);
      const inserted = await tx.run(
        `INSERT INTO runs (id, notebook_path, notebook_sha256, title, trigger, status, params, created_at,
           started_at, attempt, max_attempts, timeout_ms, not_before, worker, lease_expires_at, sweep_id,
           schedule_key, scheduled_for, rerun_of, owner_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (schedule_key) DO NOTHING`,
        values,
      );
      if (inserted === 0) return undefined;
      await tx.run(
        "INSERT INTO artifacts (run_id, name, sha256, size, mime) VALUES (?, 'source.nb.md', ?, ?, 'text/markdown')",
        [id, source.sha256, source.size],
      );
      if (running) await this.insertAttempt(tx, id, 1, run.worker, now);
      return runFromRow((await one(tx, `SELECT ${COLUMNS} FROM runs WHERE id = ?`, [id]))!);
    });
  }

  /**
   * Throws RunQuotaError when `ownerId` has `limit` runs queued or running. Two submissions of one
   * user at once must not both take the last place: SQLite's BEGIN IMMEDIATE serializes writers;
   * on PostgreSQL a transaction lock per owner does.
   */
  private async checkOwnerQuota(tx: Db, ownerId: string, limit: number): Promise<void> {
    if (tx.dialect === 'postgres')
      await tx.all('SELECT pg_advisory_xact_lock(hashtextextended(?, 7242102))', [ownerId]);
    const row = await one<{ n: number }>(
      tx,
      `SELECT COUNT(*) AS n FROM runs WHERE owner_id = ? AND ${IN_FLIGHT}`,
      [ownerId],
    );
    const count = Number(row?.n ?? 0);
    if (count < limit) return;
    const rows = await tx.all(
      `SELECT ${COLUMNS} FROM runs WHERE owner_id = ? AND ${IN_FLIGHT} ORDER BY created_at DESC, id DESC LIMIT 10`,
      [ownerId],
    );
    throw new RunQuotaError(limit, rows.map(runFromRow), count);
  }

  /** How many runs `ownerId` has queued or running. */
  async countInFlight(ownerId: string): Promise<number> {
    const row = await one<{ n: number }>(
      this.db,
      `SELECT COUNT(*) AS n FROM runs WHERE owner_id = ? AND ${IN_FLIGHT}`,
      [ownerId],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Who owns the schedule of `path`: the user who last saved it through the server, with the
   * sha256 of the schedule they saved (jobs/schedule-owner.ts compares it with the one on disk).
   */
  async scheduleOwner(path: string): Promise<{ ownerId: string; scheduleSha256: string } | undefined> {
    const row = await one<{ owner_id: string; schedule_sha256: string }>(
      this.db,
      'SELECT owner_id, schedule_sha256 FROM schedule_owners WHERE notebook_path = ?',
      [path],
    );
    return row ? { ownerId: String(row.owner_id), scheduleSha256: String(row.schedule_sha256) } : undefined;
  }

  /** Records `ownerId` as the owner of the schedule of `path` (undefined sha256: it has none). */
  async setScheduleOwner(
    path: string,
    owner: { ownerId: string; scheduleSha256: string } | undefined,
    now = Date.now(),
  ): Promise<void> {
    if (!owner) {
      await this.db.run('DELETE FROM schedule_owners WHERE notebook_path = ?', [path]);
      return;
    }
    await this.db.run(
      `INSERT INTO schedule_owners (notebook_path, owner_id, schedule_sha256, saved_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (notebook_path) DO UPDATE SET owner_id = excluded.owner_id,
         schedule_sha256 = excluded.schedule_sha256, saved_at = excluded.saved_at`,
      [path, owner.ownerId, owner.scheduleSha256, now],
    );
  }

  private insertAttempt(tx: Db, id: string, attempt: number, worker: string | undefined, now: number) {
    return tx.run(
      "INSERT INTO run_attempts (run_id, attempt, worker, started_at, status) VALUES (?, ?, ?, ?, 'running')",
      [id, attempt, worker ?? null, now],
    );
  }

  /**
   * Takes a queued run for `worker`: running, the next attempt, a lease until now + leaseMs.
   * Resolves to the attempt number (the fencing token); `undefined` when the run is not queued
   * (another worker took it, it was cancelled) or its retry time has not come; `busy` when a cap
   * is reached: `notebookCap` runs of its notebook, or `globalCap` runs in all, already running
   * (counted across every process sharing the store, under a lock, so two workers cannot both
   * take the last place).
   */
  async claim(
    id: string,
    worker: string,
    leaseMs: number,
    now = Date.now(),
    caps: { notebookCap?: number; globalCap?: number } = {},
  ): Promise<number | 'busy' | undefined> {
    return this.db.transaction(async (tx) => {
      if (caps.notebookCap !== undefined || caps.globalCap !== undefined) {
        // SQLite: BEGIN IMMEDIATE already serializes writers. PostgreSQL: one lock for claims.
        if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7242101)');
        const run = await one<{ notebook_path: string }>(
          tx,
          "SELECT notebook_path FROM runs WHERE id = ? AND status = 'queued'",
          [id],
        );
        if (!run) return undefined;
        if (caps.globalCap !== undefined) {
          const all = await one<{ n: number }>(tx, "SELECT COUNT(*) AS n FROM runs WHERE status = 'running'");
          if (Number(all?.n ?? 0) >= caps.globalCap) return 'busy';
        }
        if (caps.notebookCap !== undefined) {
          const same = await one<{ n: number }>(
            tx,
            "SELECT COUNT(*) AS n FROM runs WHERE status = 'running' AND notebook_path = ?",
            [run.notebook_path],
          );
          if (Number(same?.n ?? 0) >= caps.notebookCap) return 'busy';
        }
      }
      const row = await one<{ attempt: number }>(
        tx,
        `UPDATE runs SET status = 'running', attempt = attempt + 1, worker = ?, lease_expires_at = ?,
           started_at = COALESCE(started_at, ?), not_before = NULL
         WHERE id = ? AND status = 'queued' AND (not_before IS NULL OR not_before <= ?)
         RETURNING attempt`,
        [worker, now + leaseMs, now, id, now],
      );
      if (!row) return undefined;
      const attempt = Number(row.attempt);
      await this.insertAttempt(tx, id, attempt, worker, now);
      return attempt;
    });
  }

  /** Extends the lease of a running attempt; false when that attempt no longer owns the run. */
  async heartbeat(id: string, attempt: number, leaseMs: number, now = Date.now()): Promise<boolean> {
    const changed = await this.db.run(
      "UPDATE runs SET lease_expires_at = ? WHERE id = ? AND attempt = ? AND status = 'running'",
      [now + leaseMs, id, attempt],
    );
    return changed === 1;
  }

  /**
   * Makes the run final. False (and nothing written) when `attempt` no longer owns the run: its
   * lease expired and the run was retried or failed meanwhile — the late write of a dead attempt.
   */
  async finish(id: string, attempt: number, result: FinalResult): Promise<boolean> {
    const now = result.now ?? Date.now();
    return this.db.transaction(async (tx) => {
      const changed = await tx.run(
        `UPDATE runs SET status = ?, finished_at = ?, duration_ms = ?, error = ?, record_sha256 = ?,
           report_sha256 = ?, metrics = ?, lease_expires_at = NULL
         WHERE id = ? AND attempt = ? AND status = 'running'`,
        [
          result.status,
          now,
          result.durationMs ?? null,
          result.error ?? null,
          result.recordSha256 ?? null,
          result.reportSha256 ?? null,
          result.metrics && Object.keys(result.metrics).length ? JSON.stringify(result.metrics) : null,
          id,
          attempt,
        ],
      );
      if (changed !== 1) return false;
      await this.endAttempt(
        tx,
        id,
        attempt,
        attemptStatus(result.status),
        result.error,
        now,
        result.recordSha256,
      );
      for (const a of result.artifacts ?? []) await this.addArtifact(tx, id, a);
      return true;
    });
  }

  /**
   * Puts a failed attempt's run back in the queue, not before `notBefore`. False when fenced off.
   * `saved` is the attempt's own record (its blobs already stored): the attempt points at it and
   * its artifacts are listed under `attempts/N/`.
   */
  async retry(
    id: string,
    attempt: number,
    notBefore: number,
    error: string,
    now = Date.now(),
    saved?: { recordSha256: string; artifacts: Artifact[] },
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run(
        `UPDATE runs SET status = 'queued', not_before = ?, worker = NULL, lease_expires_at = NULL, error = ?
         WHERE id = ? AND attempt = ? AND status = 'running'`,
        [notBefore, error, id, attempt],
      );
      if (changed !== 1) return false;
      await this.endAttempt(tx, id, attempt, 'error', error, now, saved?.recordSha256);
      for (const a of saved?.artifacts ?? [])
        await this.addArtifact(tx, id, { ...a, name: `attempts/${attempt}/${a.name}` });
      return true;
    });
  }

  /**
   * A worker stopping gracefully hands a run back: queued again, the attempt `released`. A
   * released attempt does not count against the retries (max_attempts grows by one), and attempt
   * numbers stay unique, so the fencing token of the released attempt never comes back.
   */
  async release(id: string, attempt: number, now = Date.now()): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run(
        `UPDATE runs SET status = 'queued', max_attempts = max_attempts + 1, worker = NULL, lease_expires_at = NULL
         WHERE id = ? AND attempt = ? AND status = 'running'`,
        [id, attempt],
      );
      if (changed !== 1) return false;
      await this.endAttempt(tx, id, attempt, 'released', undefined, now);
      return true;
    });
  }

  private endAttempt(
    tx: Db,
    id: string,
    attempt: number,
    status: StoredAttempt['status'],
    error: string | undefined,
    now: number,
    recordSha256?: string,
  ) {
    return tx.run(
      `UPDATE run_attempts SET status = ?, finished_at = ?, error = ?, record_sha256 = ?
       WHERE run_id = ? AND attempt = ? AND status = 'running'`,
      [status, now, error ?? null, recordSha256 ?? null, id, attempt],
    );
  }

  private addArtifact(tx: Db, id: string, a: Artifact) {
    return tx.run(
      'INSERT INTO artifacts (run_id, name, sha256, size, mime) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO NOTHING',
      [id, a.name, a.sha256, a.size, a.mime],
    );
  }

  /**
   * Runs whose lease passed: their worker died or lost the database. Each goes back to the queue
   * when it has attempts left (the attempt is marked `lost`), else fails. Resolves to what changed.
   */
  async expireLeases(now = Date.now()): Promise<LostRuns> {
    const expired = await this.db.all(
      `SELECT ${COLUMNS} FROM runs WHERE status = 'running' AND lease_expires_at IS NOT NULL AND lease_expires_at < ?`,
      [now],
    );
    return this.loseAttempts(
      expired.map(runFromRow),
      (run) => `attempt ${run.attempt} lost: worker ${run.worker ?? '?'} stopped renewing its lease`,
      now,
    );
  }

  /**
   * Running runs of processes on this machine that are gone (a `quire run` stopped by a signal, a
   * server killed mid-run): their leases need not be waited out. `host` and `isAlive` tell which;
   * workers are named `kind@host:pid` (see workerName).
   */
  async reapDeadLocal(host: string, isAlive: (pid: number) => boolean, now = Date.now()): Promise<LostRuns> {
    const rows = await this.db.all(
      `SELECT ${COLUMNS} FROM runs WHERE status = 'running' AND worker LIKE ? ESCAPE '\\'`,
      [`%@${host.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`],
    );
    const dead = rows.map(runFromRow).filter((run) => {
      const pid = localPid(run.worker, host);
      return pid !== undefined && pid !== process.pid && !isAlive(pid);
    });
    return this.loseAttempts(dead, (run) => `attempt ${run.attempt} lost: ${run.worker ?? '?'} is gone`, now);
  }

  /**
   * A lost attempt is the worker's fault, not the notebook's: the first loss of a run gets a free
   * attempt (max_attempts grows by one), so a run with no retries still survives one dead worker;
   * a second loss counts like any failure (a notebook that kills every worker it runs on stops).
   */
  private async loseAttempts(
    runs: StoredRun[],
    why: (run: StoredRun) => string,
    now: number,
  ): Promise<LostRuns> {
    const requeued: StoredRun[] = [];
    const failed: StoredRun[] = [];
    for (const run of runs) {
      const error = why(run);
      const changed = await this.db.transaction(async (tx) => {
        const lost = await one<{ n: number }>(
          tx,
          "SELECT COUNT(*) AS n FROM run_attempts WHERE run_id = ? AND status = 'lost'",
          [run.id],
        );
        const firstLoss = Number(lost?.n ?? 0) === 0;
        // A run its own process executes (quire run, an editor run, a sweep) has nobody to run it
        // again: it fails. Queued runs go back to the queue.
        const again = QUEUED_TRIGGERS.includes(run.trigger) && (run.attempt < run.maxAttempts || firstLoss);
        const n = await tx.run(
          again
            ? `UPDATE runs SET status = 'queued', worker = NULL, lease_expires_at = NULL, error = ?,
                 max_attempts = CASE WHEN attempt >= max_attempts THEN attempt + 1 ELSE max_attempts END
               WHERE id = ? AND attempt = ? AND status = 'running'`
            : `UPDATE runs SET status = 'error', finished_at = ?, lease_expires_at = NULL, error = ?
               WHERE id = ? AND attempt = ? AND status = 'running'`,
          again ? [error, run.id, run.attempt] : [now, error, run.id, run.attempt],
        );
        if (n === 1) await this.endAttempt(tx, run.id, run.attempt, 'lost', error, now);
        return n === 1 ? (again ? 'requeued' : 'failed') : undefined;
      });
      if (changed === 'requeued') requeued.push(run);
      else if (changed === 'failed') failed.push(run);
    }
    return { requeued, failed };
  }

  /** Keeps a report rendered after the run ended (only a final run without one gets it). */
  async attachReport(id: string, report: Artifact): Promise<void> {
    await this.db.transaction(async (tx) => {
      const n = await tx.run(
        `UPDATE runs SET report_sha256 = ? WHERE id = ? AND report_sha256 IS NULL AND status NOT IN ('queued', 'running')`,
        [report.sha256, id],
      );
      if (n === 1)
        await tx.run(
          'INSERT INTO artifacts (run_id, name, sha256, size, mime) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO NOTHING',
          [id, report.name, report.sha256, report.size, report.mime],
        );
    });
  }

  /** Cancels a queued run (a running one is stopped by its worker, which then finishes it). */
  async cancelQueued(id: string, now = Date.now()): Promise<boolean> {
    const n = await this.db.run(
      "UPDATE runs SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'queued'",
      [now, id],
    );
    return n === 1;
  }

  async get(id: string): Promise<StoredRun | undefined> {
    const row = await one(this.db, `SELECT ${COLUMNS} FROM runs WHERE id = ?`, [id]);
    return row ? runFromRow(row) : undefined;
  }

  /**
   * A run by its id or a unique prefix of it (the random tail, or `run-2026…`), as users type
   * them. Throws when a prefix is ambiguous.
   */
  async find(idOrPrefix: string): Promise<StoredRun | undefined> {
    const exact = await this.get(idOrPrefix);
    if (exact) return exact;
    const like = idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = await this.db.all(
      `SELECT ${COLUMNS} FROM runs WHERE id LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT 6`,
      [`${like}%`, `%-${like}`],
    );
    if (rows.length > 1) {
      const ids = rows.slice(0, 5).map((r) => String(r.id));
      throw new Error(
        `"${idOrPrefix}" matches several runs: ${ids.join(', ')}${rows.length > 5 ? ', …' : ''}`,
      );
    }
    return rows[0] ? runFromRow(rows[0]) : undefined;
  }

  /** Newest first. */
  async list(filter: RunFilter = {}): Promise<StoredRun[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const conditions: [string, SqlValue | undefined][] = [
      ['notebook_path = ?', filter.path],
      ['sweep_id = ?', filter.sweepId],
      ['status = ?', filter.status],
      ['trigger = ?', filter.trigger],
    ];
    for (const [condition, value] of conditions) {
      if (value === undefined) continue;
      where.push(condition);
      params.push(value);
    }
    if (filter.before) {
      // Spelt out rather than a row comparison: the same text on SQLite and PostgreSQL.
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(filter.before.createdAt, filter.before.createdAt, filter.before.id);
    }
    params.push(filter.limit ?? 50);
    const rows = await this.db.all(
      `SELECT ${COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      params,
    );
    return rows.map(runFromRow);
  }

  /** Queued runs whose time has come, oldest first. */
  async due(now = Date.now(), limit = 100): Promise<StoredRun[]> {
    const rows = await this.db.all(
      `SELECT ${COLUMNS} FROM runs WHERE status = 'queued' AND (not_before IS NULL OR not_before <= ?)
       ORDER BY created_at, id LIMIT ?`,
      [now, limit],
    );
    return rows.map(runFromRow);
  }

  /** The newest slot a schedule created a run for, for the catch-up after downtime. */
  async lastScheduledFor(path: string): Promise<number | undefined> {
    const row = await one<{ last: number | null }>(
      this.db,
      "SELECT MAX(scheduled_for) AS last FROM runs WHERE notebook_path = ? AND trigger = 'schedule'",
      [path],
    );
    return row?.last === null || row?.last === undefined ? undefined : Number(row.last);
  }

  async count(status: RunState): Promise<number> {
    const row = await one<{ n: number }>(this.db, 'SELECT COUNT(*) AS n FROM runs WHERE status = ?', [
      status,
    ]);
    return Number(row?.n ?? 0);
  }

  async attempts(id: string): Promise<StoredAttempt[]> {
    const rows = await this.db.all('SELECT * FROM run_attempts WHERE run_id = ? ORDER BY attempt', [id]);
    return rows.map(attemptFromRow);
  }

  async artifacts(id: string): Promise<Artifact[]> {
    const rows = await this.db.all(
      'SELECT name, sha256, size, mime FROM artifacts WHERE run_id = ? ORDER BY name',
      [id],
    );
    return rows.map((r) => ({
      name: String(r.name),
      sha256: String(r.sha256),
      size: Number(r.size),
      mime: String(r.mime),
    }));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function attemptStatus(status: FinalResult['status']): StoredAttempt['status'] {
  return status === 'cancelled' ? 'error' : status;
}
