/**
 * The REST API's bodies (`/api/*`, docs/server.md): one zod schema per request and answer, the
 * source of the TS types on both sides (src/server/routes/*, src/ui/api.ts, src/ui/runs-api.ts)
 * and of the OpenAPI document at `GET /api/openapi.json` (src/server/openapi.ts). Requests are
 * validated with these schemas; answers are checked by the compiler only (the server builds them).
 * No Node imports: the browser bundles this folder (it imports only types from here).
 *
 * The store's and the parser's own types (store/types.ts, format/types.ts) stay theirs: the routes
 * assign them to these types, so a field added there and not here fails the type-check.
 */
import { z } from 'zod';
import { SnapshotAccess } from './notifications.js';
import { RUN_STATES } from './states.js';

/** Every failed request: a stable code and a sentence for people; never a stack trace. */
export const ErrorBody = z.object({ error: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Where a notebook fails to parse, for the editor's raw mode. */
export const ParseErrorInfo = z.object({
  message: z.string(),
  line: z.number().int(),
  column: z.number().int(),
});
export type ParseErrorInfo = z.infer<typeof ParseErrorInfo>;

/** `GET /login?token=`: the token `quire serve` printed. */
export const LoginQuery = z.object({ token: z.string().optional() });

// ---- notebooks ----------------------------------------------------------------------------------

/** One entry of `GET /api/notebooks`. */
export const NotebookSummary = z.object({
  /** workspace-relative, POSIX */
  path: z.string(),
  /** front-matter title, else the file name without `.nb.md` */
  title: z.string(),
  tags: z.array(z.string()),
  /** modification time, ms since the epoch */
  mtime: z.number(),
  /** bytes */
  size: z.number().int(),
  version: z.string(),
  parseError: ParseErrorInfo.optional(),
  /**
   * What the caller may do with it and whether it is locked read-only, as the editor's snapshot
   * says it (the list marks locked notebooks); absent from older servers.
   */
  access: SnapshotAccess.optional(),
});
export type NotebookSummary = z.infer<typeof NotebookSummary>;

/** `GET /api/notebooks?q=`: each whitespace-separated term must occur in the title, path or a tag. */
export const NotebookListQuery = z.object({ q: z.string().optional() });
export const NotebookList = z.object({ notebooks: z.array(NotebookSummary) });
export type NotebookList = z.infer<typeof NotebookList>;

/**
 * A cell as the parser gives it (format/types.ts `Cell`): the fields every cell has; code cells
 * add `language`, `info`, `attributes`, `sourceLine`, prose cells `interpolations`.
 */
export const ParsedCell = z.object({
  id: z.string(),
  kind: z.enum(['code', 'prose']),
  raw: z.string(),
  line: z.number().int(),
  source: z.string(),
});

/** `GET /api/notebooks/PATH`: `cells` when the text parses, else `parseError`. */
export const NotebookRead = z.object({
  path: z.string(),
  text: z.string(),
  version: z.string(),
  cells: z.array(ParsedCell).optional(),
  parseError: ParseErrorInfo.optional(),
});
export type NotebookRead = z.infer<typeof NotebookRead>;

/** The body of `PUT /api/notebooks/PATH`; `baseVersion: null` creates the notebook. */
export const SaveRequest = z.object({
  text: z.string(),
  baseVersion: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a sha256 version from a read, or null for a new notebook')
    .nullable(),
});
export type SaveRequest = z.infer<typeof SaveRequest>;

export const SaveResponse = z.object({ version: z.string() });
export type SaveResponse = z.infer<typeof SaveResponse>;

/** `409`: the file is not at `baseVersion`; `currentVersion` is null when it is gone. */
export const SaveConflict = z.object({
  error: z.literal('conflict'),
  message: z.string(),
  currentVersion: z.string().nullable(),
});
export type SaveConflict = z.infer<typeof SaveConflict>;

// ---- runs ---------------------------------------------------------------------------------------

/** `queued` and `running` change; the others are final. */
export const RunState = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunState>;

/** What started a run. */
export const Trigger = z.enum(['cli', 'editor', 'schedule', 'api', 'submit', 'sweep', 'rerun']);

/** One run as the store keeps it (store/types.ts `StoredRun`). Times are ms since the epoch. */
export const Run = z.object({
  id: z.string(),
  path: z.string(),
  /** sha256 of the notebook source */
  sha256: z.string(),
  title: z.string().optional(),
  trigger: Trigger,
  status: RunState,
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  createdAt: z.number(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  durationMs: z.number().optional(),
  /** the current (or last) attempt, 0 before the first starts */
  attempt: z.number().int(),
  maxAttempts: z.number().int(),
  timeoutMs: z.number().optional(),
  notBefore: z.number().optional(),
  worker: z.string().optional(),
  leaseExpiresAt: z.number().optional(),
  /** one line: why the run failed */
  error: z.string().optional(),
  /** set once the run has its record: then it has a report */
  recordSha256: z.string().optional(),
  reportSha256: z.string().optional(),
  sweepId: z.string().optional(),
  scheduleKey: z.string().optional(),
  scheduledFor: z.number().optional(),
  rerunOf: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  /** the user a queued or scheduled run runs as (checked again when it starts) */
  ownerId: z.string().optional(),
});
export type Run = z.infer<typeof Run>;

export const RunAttempt = z.object({
  runId: z.string(),
  attempt: z.number().int(),
  worker: z.string().optional(),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  status: z.enum(['running', 'ok', 'error', 'timeout', 'lost', 'released']),
  error: z.string().optional(),
  recordSha256: z.string().optional(),
});

export const RunArtifact = z.object({
  name: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  mime: z.string(),
});

/** `GET /api/runs?path=&limit=`: one notebook's runs, or every run the user may read. */
export const RunListQuery = z.object({
  path: z.string().optional(),
  /** 1–500, default 50 */
  limit: z.string().regex(/^\d+$/).optional(),
});
export const RunList = z.object({ runs: z.array(Run) });
export type RunList = z.infer<typeof RunList>;

/**
 * A run's record (runner/record.ts `RunRecord`): what `quire run` writes. Listed here are the
 * fields a client reads first; the cells' statuses, outputs and timings and the runtime come too.
 */
export const RunRecord = z.object({
  id: z.string(),
  status: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  notebook: z.object({ path: z.string(), sha256: z.string(), title: z.string().optional() }),
  cells: z.array(z.object({ id: z.string() })),
  warnings: z.array(z.object({ message: z.string(), line: z.number(), column: z.number() })),
  /** the names (never the values) of the secrets the run's cells read */
  secrets: z.array(z.string()).optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});

/** `GET /api/runs/ID`; `record` (the run record with its outputs) is null while queued or running. */
export const RunDetail = z.object({
  run: Run,
  attempts: z.array(RunAttempt),
  artifacts: z.array(RunArtifact),
  record: RunRecord.nullable(),
});
export type RunDetail = z.infer<typeof RunDetail>;

/** `POST /api/runs`: queue a run of the notebook as it is on disk (trigger `api`). */
export const SubmitRunRequest = z
  .object({
    path: z.string().min(1).max(4096),
    params: z.record(z.string(), z.unknown()).optional(),
    retries: z.number().int().min(0).max(100).optional(),
    /** a duration: `90s`, `5m`, `1h` */
    timeout: z.string().optional(),
  })
  .strict();
export type SubmitRunRequest = z.infer<typeof SubmitRunRequest>;

export const SubmitRunResponse = z.object({ run: Run });
export type SubmitRunResponse = z.infer<typeof SubmitRunResponse>;

/** The named schemas of the OpenAPI document's `components.schemas`. */
export const apiSchemas = z.registry<{ id: string }>();
for (const [id, schema] of Object.entries({
  ErrorBody,
  ParseErrorInfo,
  NotebookSummary,
  NotebookList,
  ParsedCell,
  NotebookRead,
  SaveRequest,
  SaveResponse,
  SaveConflict,
  RunState,
  Trigger,
  Run,
  RunAttempt,
  RunArtifact,
  RunRecord,
  RunList,
  RunDetail,
  SubmitRunRequest,
  SubmitRunResponse,
})) {
  apiSchemas.add(schema, { id });
}

/** `GET /api/audit?since=&user=&event=&limit=`: the newest audit entries that match, oldest first. */
export const AuditQuery = z.object({
  /** ISO 8601: entries at or after it */
  since: z.string().optional(),
  user: z.string().optional(),
  event: z.string().optional(),
  /** 1–1000, default 100 */
  limit: z.string().regex(/^\d+$/).optional(),
});

/**
 * One entry of the audit log as stored (src/audit/schema.ts, version 1): the event, its place in
 * the chain and the hashes that link it. Listed as stored, unchecked: `quire audit verify` checks.
 */
export const AuditEntry = z.object({
  schema: z.number().int(),
  seq: z.number().int(),
  time: z.string(),
  event: z.string(),
  user: z.string().nullable(),
  action: z.string().nullable(),
  resource: z.record(z.string(), z.unknown()),
  outcome: z.string(),
  via: z.string(),
  detail: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export const AuditList = z.object({ entries: z.array(AuditEntry) });
export type AuditList = z.infer<typeof AuditList>;
