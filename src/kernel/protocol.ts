/**
 * The kernel protocol: commands go from the host into a kernel process, notifications come out.
 * One zod schema per message, a discriminated union on `type`. The host validates every
 * notification (a kernel runs user code and is not trusted); the kernel imports only the types,
 * so that it starts without loading zod.
 *
 * Messages travel over the kernel channel (frames.ts: length-prefixed structured clone), so
 * `unknown` payloads may hold Dates, BigInts, Maps and typed arrays.
 *
 * Every execution carries an `execution` id the host draws at random (128 bits) when it posts it;
 * the host accepts notifications only for the execution it is waiting for, so a cell can neither
 * guess the next cell's id nor finish an execution that was never posted.
 */
import { z } from 'zod';
import { METRIC_NAME } from './runtime/metric-name.js';

const OutputSchema = z.object({ mime: z.string(), data: z.unknown() });

const ErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  /** 1-based, relative to the cell source */
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  stack: z.string().optional(),
});

/** The host's unguessable id of one execution (a random UUID), echoed in every notification about it. */
export const ExecutionId = z.string().min(16).max(64);

/** Runs a JS cell: `code` is the body of an async function whose parameters are `inputs`. */
export const ExecuteJs = z.object({
  type: z.literal('executeJs'),
  execution: ExecutionId,
  cellId: z.string(),
  /** names read from the kernel's scope and passed as the function's parameters, in order */
  inputs: z.array(z.string()),
  /** JS source of the async function body (already transpiled); it returns an object of declarations */
  code: z.string(),
  /** names the cell declares; the returned object's keys are stored under these names */
  declarations: z.array(z.string()),
  /** maps a generated line (1-based, in `code`) to the cell source line; index = generated line - 1 */
  lineMap: z.array(z.number().int()).optional(),
  /** the values of the secrets this cell reads (`secrets.get`), by name; the host has registered them for redaction */
  secrets: z.record(z.string(), z.string()).optional(),
});

/** Runs a SQL cell on the embedded DuckDB or, when `connection` is set, through the host. */
export const ExecuteSql = z.object({
  type: z.literal('executeSql'),
  execution: ExecutionId,
  cellId: z.string(),
  inputs: z.array(z.string()),
  /** SQL text where each `${…}` is replaced by a positional parameter `$1`, `$2`, … */
  sql: z.string(),
  /** JS expression sources, evaluated with `inputs` in scope, bound to `$1`, `$2`, … */
  parameters: z.array(z.string()),
  /** notebook names the query reads as tables (registered in DuckDB before it runs) */
  tables: z.array(z.string()),
  /** the variable the result is bound to (`name=`), if any */
  name: z.string().optional(),
  /** a named connection from the workspace config; absent = embedded DuckDB */
  connection: z.string().optional(),
  /** the secrets its `${…}` read (`secrets.get`), by name; registered by the host for redaction */
  secrets: z.record(z.string(), z.string()).optional(),
});

/**
 * Evaluates the `${…}` of a prose cell; the kernel answers with one text/markdown output: `source`
 * with each interpolation replaced by its HTML-escaped value (an `html` value is inserted raw).
 */
export const RenderProse = z.object({
  type: z.literal('renderProse'),
  execution: ExecutionId,
  cellId: z.string(),
  inputs: z.array(z.string()),
  /** JS expression sources, one per interpolation, in order */
  expressions: z.array(z.string()),
  /** the prose cell's Markdown; without it the output is the values alone, joined */
  source: z.string().optional(),
  /**
   * where each interpolation sits in `source` (same order as `expressions`): `start` is the offset
   * of its `$`, `end` the offset just past its `}` — the format's `Interpolation` offsets
   */
  interpolations: z.array(z.object({ start: z.number().int(), end: z.number().int() })).optional(),
  /** the secrets its `${…}` read (`secrets.get`), by name; registered by the host for redaction */
  secrets: z.record(z.string(), z.string()).optional(),
});

/** Removes names from the kernel's scope (a deleted cell, a renamed declaration). */
export const DeleteNames = z.object({ type: z.literal('deleteNames'), names: z.array(z.string()) });

/** A cell was deleted: its names leave the scope and its pending timers are cancelled. */
export const ForgetCell = z.object({ type: z.literal('forgetCell'), cellId: z.string() });

/** Defines plain values (params) in the kernel's scope. */
export const DefineValues = z.object({
  type: z.literal('defineValues'),
  values: z.record(z.string(), z.unknown()),
});

/** The host's answer to a {@link ConnectionQuery}. */
export const ConnectionResult = z.object({
  type: z.literal('connectionResult'),
  requestId: z.number().int(),
  ok: z.boolean(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  rows: z.array(z.array(z.unknown())).optional(),
  error: z.string().optional(),
});

/**
 * Starts loading what the notebook will need (DuckDB) while the kernel is otherwise idle, so that
 * the cost overlaps with the host's own work instead of landing on the first SQL cell.
 */
export const Warmup = z.object({ type: z.literal('warmup'), sql: z.boolean() });

export const Shutdown = z.object({ type: z.literal('shutdown') });

/**
 * A page of a table value in the kernel's scope: `name` (a notebook name) or `cellId` (the table
 * the cell showed last: its SQL result or its last expression). Answered by a `tablePage`
 * notification with the same `requestId`; handled at once, not queued behind running cells.
 */
export const TablePage = z.object({
  type: z.literal('tablePage'),
  requestId: z.number().int(),
  name: z.string().optional(),
  cellId: z.string().optional(),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1),
  sort: z.object({ column: z.string(), descending: z.boolean() }).optional(),
});

export const KernelCommand = z.discriminatedUnion('type', [
  ExecuteJs,
  ExecuteSql,
  RenderProse,
  DeleteNames,
  ForgetCell,
  DefineValues,
  ConnectionResult,
  Warmup,
  Shutdown,
  TablePage,
]);
export type KernelCommand = z.infer<typeof KernelCommand>;
export type ExecuteJs = z.infer<typeof ExecuteJs>;
export type ExecuteSql = z.infer<typeof ExecuteSql>;
export type RenderProse = z.infer<typeof RenderProse>;

/** The kernel is up and ready for commands. */
export const Ready = z.object({
  type: z.literal('ready'),
  pid: z.number().int(),
  node: z.string(),
});

/** An output produced while a cell runs: `display(v)`, a stream chunk, the last expression's value. */
export const CellOutput = z.object({
  type: z.literal('cellOutput'),
  execution: ExecutionId,
  cellId: z.string(),
  output: OutputSchema,
});

export const CellFinished = z.object({
  type: z.literal('cellFinished'),
  execution: ExecutionId,
  cellId: z.string(),
  status: z.enum(['ok', 'error']),
  durationMs: z.number(),
  error: ErrorSchema.optional(),
  /** the names now defined by this cell in the kernel's scope */
  declared: z.array(z.string()),
  /** versions of libraries the execution loaded (e.g. `{duckdb: "v1.5.6"}`) */
  versions: z.record(z.string(), z.string()).optional(),
});

/**
 * `metric(name, value)` in a running cell: a named finite number for the run record (the latest
 * value of a name wins). zod's number already refuses NaN and ±Infinity.
 */
export const CellMetric = z.object({
  type: z.literal('cellMetric'),
  execution: ExecutionId,
  cellId: z.string(),
  name: z.string().regex(METRIC_NAME),
  value: z.number(),
});

/** A SQL cell on a named connection asks the host to run its query (credentials stay in the host). */
export const ConnectionQuery = z.object({
  type: z.literal('connectionQuery'),
  requestId: z.number().int(),
  connection: z.string(),
  sql: z.string(),
  parameters: z.array(z.unknown()),
});

/** The answer to a {@link TablePage}: JSON-safe rows (as TableData), or `error`. */
export const TablePageResult = z.object({
  type: z.literal('tablePage'),
  requestId: z.number().int(),
  ok: z.boolean(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  rows: z.array(z.array(z.unknown())).optional(),
  rowCount: z.number().int().min(0).optional(),
  offset: z.number().int().min(0).optional(),
  /** `duckdb`: read from the kept temp table; `js`: from the JS value */
  source: z.enum(['duckdb', 'js']).optional(),
  error: z.string().optional(),
});

export const KernelNotification = z.discriminatedUnion('type', [
  Ready,
  CellOutput,
  CellFinished,
  CellMetric,
  ConnectionQuery,
  TablePageResult,
]);
export type KernelNotification = z.infer<typeof KernelNotification>;
export type CellFinished = z.infer<typeof CellFinished>;
export type CellOutput = z.infer<typeof CellOutput>;
export type CellMetric = z.infer<typeof CellMetric>;
export type ConnectionQuery = z.infer<typeof ConnectionQuery>;
export type TablePage = z.infer<typeof TablePage>;
export type TablePageResult = z.infer<typeof TablePageResult>;
