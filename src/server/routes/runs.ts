/**
 * `/api/runs`: the run history of the workspace's notebooks (every run the store has: `quire run`,
 * the editor's Run all, schedules, workers), one run's details, and its report. Thin handlers over
 * the RunStore and runner/stored-run.ts; a notebook path goes through the same confinement as the
 * notebook routes, resolved once by the gate (`gatedNotebook`). The gate (gate.ts) has authorized
 * each request (access.ts: `run:read` on the run or notebook, `notebook:execute` to queue); the
 * full listing keeps the runs the user may read, reading further down the history to fill its page
 * (`readableRuns`). One notebook's listing (`?path=`) needs no such filter: its runs all share the
 * notebook the gate checked. Bodies: protocol/api.ts.
 *
 * The report is user content (sanitized outputs) served from the editor's origin, so it gets its
 * own policy (`REPORT_CONTENT_SECURITY_POLICY`, set by `reportPolicy()`), stricter than the editor's.
 */
import type { MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { loadRecord, storedReport } from '../../runner/stored-run.js';
import type { StoredRun } from '../../store/types.js';
import type { JobService } from '../../jobs/service.js';
import { RunQuotaError, type RunStore } from '../../store/run-store.js';
import { gatedNotebook, type ServerDeps, type ServerEnv } from '../deps.js';
import { HttpError } from '../errors.js';
import type { User } from '../auth.js';
import { parseLimit } from './query.js';
import { parseTimeLimit } from '../../runner/limits.js';
import { NotebookParseError, ParamError } from '../../format/errors.js';
import { parseNotebook, resolveParams } from '../../format/index.js';
import {
  SubmitRunRequest,
  type RunDetail,
  type RunList,
  type SubmitRunResponse,
} from '../../protocol/api.js';

/**
 * A report is one self-contained document: inline CSS, inline SVG charts and data: images, no
 * script and no URL to load (outputs/render/report.ts). So nothing but inline styles and data:
 * images is allowed; `sandbox` (no allow-scripts, no allow-same-origin) makes it an opaque origin
 * even if sanitized markup ever let something through, so it could not call the API with the
 * user's cookie. `frame-ancestors 'self'` lets the editor show it in its own (sandboxed) iframe.
 */
export const REPORT_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  'sandbox',
].join('; ');

/**
 * The report's policy in place of the editor's. Mounted before securityHeaders() (which sets the
 * editor's policy on every response on its way out), so that it runs after it and has the last word.
 */
export function reportPolicy(): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    await next();
    c.header('Content-Security-Policy', REPORT_CONTENT_SECURITY_POLICY);
  };
}

const LIMIT = { fallback: 50, max: 500 };

/** Submits through the job service; a user past their quota of runs in flight gets 429. */
async function submitted(jobs: JobService, run: Parameters<JobService['submit']>[0], user: User) {
  try {
    // Quotas are per account: the single-user owner (no role) has none.
    return await jobs.submit(run, { unlimited: user.role === undefined });
  } catch (error) {
    if (error instanceof RunQuotaError) throw new HttpError(429, 'quota', error.message);
    throw error;
  }
}

/**
 * The full listing scans at most this many rows per run asked for. Runs the user may not read
 * are skipped, so a page is filled from further down; a user who may read few of many runs gets
 * a short page (possibly empty) rather than a request that reads the whole history.
 */
const SCAN_PER_RUN = 50;

/**
 * The newest `limit` runs that `may` lets through: batches of the store's list, each below the
 * last (`before`), the first as large as the page (when every run is readable: one query, as
 * before grants), then doubling, until the page is full, the store has no more, or the scan cap.
 */
async function readableRuns(
  store: Pick<RunStore, 'list'>,
  limit: number,
  may: (run: StoredRun) => boolean,
): Promise<StoredRun[]> {
  const readable: StoredRun[] = [];
  const cap = limit * SCAN_PER_RUN;
  let scanned = 0;
  let size = limit;
  let before: { createdAt: number; id: string } | undefined;
  while (readable.length < limit && size > 0) {
    const batch = await store.list({ limit: size, ...(before ? { before } : {}) });
    scanned += batch.length;
    for (const run of batch) {
      if (may(run)) readable.push(run);
      if (readable.length === limit) break;
    }
    const last = batch.at(-1);
    if (batch.length < size || !last) break;
    before = { createdAt: last.createdAt, id: last.id };
    size = Math.min(size * 2, cap - scanned);
  }
  return readable;
}

export function runRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  async function runOf(id: string): Promise<StoredRun> {
    const run = await deps.store.get(id);
    if (!run) throw new HttpError(404, 'not-found', `no run ${JSON.stringify(id)}`);
    return run;
  }

  routes.get('/', async (c) => {
    const limit = parseLimit(c.req.query('limit'), LIMIT);
    const path = c.req.query('path');
    if (path !== undefined) {
      // A deleted notebook keeps its history: the path must be valid, the file need not exist.
      const { relative } = gatedNotebook(c);
      return c.json({ runs: await deps.store.list({ path: relative, limit }) } satisfies RunList);
    }
    const may = (run: StoredRun) => c.var.may('run:read', { kind: 'run', id: run.id, path: run.path });
    return c.json({ runs: await readableRuns(deps.store, limit, may) } satisfies RunList);
  });

  /**
   * Queues a run of a notebook as it is on disk now (trigger `api`): `{path, params?, retries?,
   * timeout?}` → 202 `{run}`. Params are checked against the front matter first (400 naming the
   * param); the run carries the exact source.
   */
  routes.post('/', async (c) => {
    if (!deps.jobs) throw new HttpError(503, 'no-jobs', 'this server does not execute runs');
    const body = SubmitRunRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) {
      const issue = body.error.issues[0];
      throw new HttpError(
        400,
        'bad-request',
        `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const notebook = gatedNotebook(c);
    const { relative } = notebook;
    const { text } = await deps.files.read(notebook);
    let params;
    let title: string | undefined;
    try {
      const { notebook } = parseNotebook(text, { path: relative });
      title = notebook.frontMatter?.title;
      params = resolveParams(notebook.frontMatter?.params ?? [], body.data.params ?? {}, { source: 'json' });
    } catch (error) {
      if (error instanceof NotebookParseError || error instanceof ParamError)
        throw new HttpError(400, 'bad-input', `${relative}: ${error.message}`);
      throw error;
    }
    let timeoutMs: number | undefined;
    if (body.data.timeout !== undefined) {
      try {
        timeoutMs = parseTimeLimit(body.data.timeout);
      } catch (error) {
        throw new HttpError(400, 'bad-request', `timeout: ${(error as Error).message}`);
      }
    }
    const run = await submitted(
      deps.jobs,
      {
        path: relative,
        source: text,
        ...(title ? { title } : {}),
        trigger: 'api',
        params,
        maxAttempts: (body.data.retries ?? 0) + 1,
        ...(timeoutMs ? { timeoutMs } : {}),
        // The run runs as who asked: checked again when it starts (auth/run-as.ts), on their quota.
        ownerId: c.var.user.id,
      },
      c.var.user,
    );
    // Only a schedule's duplicate firing gets no run; an API submission always makes one.
    if (!run) throw new Error(`the queue made no run for ${relative}`);
    c.set('detail', { runId: run.id });
    return c.json({ run } satisfies SubmitRunResponse, 202);
  });

  routes.get('/:id', async (c) => {
    const run = await runOf(c.req.param('id'));
    const [attempts, artifacts, record] = await Promise.all([
      deps.store.attempts(run.id),
      deps.store.artifacts(run.id),
      loadRecord(deps.store, run),
    ]);
    return c.json({ run, attempts, artifacts, record: record ?? null } satisfies RunDetail);
  });

  routes.get('/:id/report', async (c) => {
    const run = await runOf(c.req.param('id'));
    const record = await loadRecord(deps.store, run);
    if (!record) {
      const why = run.status === 'queued' || run.status === 'running' ? `is ${run.status}` : 'has no record';
      throw new HttpError(404, 'no-report', `run ${run.id} ${why}: there is no report`);
    }
    const html = await storedReport(deps.store, run, record);
    c.set('detail', { runId: run.id, format: 'html' });
    return c.body(html, 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-disposition': `inline; filename="${run.id.replace(/[^\w.-]/g, '_')}.html"`,
    });
  });

  return routes;
}
