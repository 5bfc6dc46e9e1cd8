/**
 * Server notifications of the editor protocol (server → browser). A `snapshot` is the whole state
 * of a notebook session; the others are changes to it. Shared by the server and the browser: no
 * Node imports here.
 */
import { z } from 'zod';
import { CODE_LANGUAGES } from './languages.js';
import { CELL_STATES } from './states.js';

/** A cell's state (the list is src/protocol/states.ts). */
export const RunStatus = z.enum(CELL_STATES);
export type RunStatus = z.infer<typeof RunStatus>;

/** `{mime, data}`; data depends on the MIME type (see src/outputs/types.ts). */
export const Output = z.object({ mime: z.string(), data: z.unknown() });
export type Output = z.infer<typeof Output>;

export const ErrorData = z.object({
  name: z.string(),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  stack: z.string().optional(),
});
export type ErrorData = z.infer<typeof ErrorData>;

export const SnapshotCell = z.object({
  id: z.string(),
  kind: z.enum(['code', 'prose']),
  language: z.enum(CODE_LANGUAGES).optional(),
  name: z.string().optional(),
  source: z.string(),
  status: RunStatus,
  durationMs: z.number().optional(),
  outputs: z.array(Output),
  error: ErrorData.optional(),
  skippedBecause: z.string().optional(),
  /** the names the cell declares (for completion and the dependency view); prose declares none */
  declarations: z.array(z.string()).default([]),
});
export type SnapshotCell = z.infer<typeof SnapshotCell>;

const ParamType = z.enum(['string', 'number', 'integer', 'boolean', 'date', 'datetime']);
const ParamValue = z.union([z.string(), z.number(), z.boolean()]);
export const ParamSpec = z.object({
  name: z.string(),
  type: ParamType,
  default: ParamValue.optional(),
  enum: z.array(ParamValue).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  description: z.string().optional(),
});

const requestId = z.string().optional();

/**
 * What the user of one connection may do in the notebook it opened, as the server's
 * `authorize(user, action, notebook)` answers now: the UI shows the editor when `edit`, else the
 * app view (params, Run when `execute`, outputs). Only a view: the gate checks every command.
 */
export const SnapshotAccess = z.object({
  /** `notebook:edit`: change cells, save, revert */
  edit: z.boolean(),
  /** `notebook:execute`: run cells, set params, interrupt */
  execute: z.boolean(),
  /**
   * The notebook is locked read-only (`quire notebooks lock`): nobody may edit it until it is
   * unlocked, whatever their role or grants. Says why `edit` is false; absent from older servers.
   */
  locked: z.boolean().optional(),
});
export type SnapshotAccess = z.infer<typeof SnapshotAccess>;

export const Snapshot = z.object({
  type: z.literal('snapshot'),
  requestId,
  path: z.string(),
  /** the version on disk this session's text is based on (null: the file is gone) */
  version: z.string().nullable(),
  /** the session's current text (what `save` writes) */
  text: z.string(),
  /** the text differs from what is on disk at `version` */
  dirty: z.boolean(),
  title: z.string().optional(),
  cells: z.array(SnapshotCell),
  params: z.object({ schema: z.array(ParamSpec), values: z.record(z.string(), ParamValue) }),
  /** raw mode: the notebook does not parse; only `saveRaw` is allowed */
  parseError: z.object({ message: z.string(), line: z.number(), column: z.number() }).optional(),
  /**
   * Per connection: the session's snapshot is shared, and the WebSocket (ws.ts) adds its own
   * user's access to each copy it sends, so two users of one notebook get their own answers. A
   * client that gets none may do nothing (the UI shows the read-only app view).
   */
  access: SnapshotAccess.optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const CellStatus = z.object({
  type: z.literal('cellStatus'),
  cellId: z.string(),
  status: RunStatus,
  durationMs: z.number().optional(),
  error: ErrorData.optional(),
  skippedBecause: z.string().optional(),
});
/** One more output of a running cell (a `running` status clears the cell's outputs). */
export const CellOutput = z.object({ type: z.literal('cellOutput'), cellId: z.string(), output: Output });
/** Another client edited a cell's source. */
export const CellSource = z.object({
  type: z.literal('cellSource'),
  cellId: z.string(),
  source: z.string(),
  dirty: z.boolean(),
});
/**
 * A cell's name or declarations changed (after any edit, rename or insert), sent to every client,
 * the editing one included: the client's completion list and cell headers follow it.
 */
export const CellInfo = z.object({
  type: z.literal('cellInfo'),
  cellId: z.string(),
  name: z.string().optional(),
  declarations: z.array(z.string()),
});
/**
 * The command `requestId` was applied (commands answered otherwise, e.g. by a snapshot, get no
 * ack). `dirty` (after edits) says whether the session's text now differs from the file on disk.
 */
export const Ack = z.object({
  type: z.literal('ack'),
  requestId: z.string(),
  dirty: z.boolean().optional(),
  /** what else the command did, for its sender to show (a rename's rewrite of other cells) */
  notice: z.string().max(4000).optional(),
});
export const Saved = z.object({ type: z.literal('saved'), requestId, version: z.string() });
export const Conflict = z.object({
  type: z.literal('conflict'),
  requestId,
  currentVersion: z.string().nullable(),
});
/** The file changed on disk while this session had unsaved edits (null: it was deleted). */
export const ExternalChange = z.object({ type: z.literal('externalChange'), version: z.string().nullable() });
export const ErrorNotification = z.object({ type: z.literal('error'), requestId, message: z.string() });
export const TablePageResult = z.object({
  type: z.literal('tablePage'),
  requestId,
  cellId: z.string(),
  offset: z.number(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.array(z.array(z.unknown())),
  /** rows available to page through: the whole result when paged from the kernel, else the preview's rows */
  pageableRows: z.number(),
  /** rows in the whole result */
  rowCount: z.number(),
  /** where the page came from: the kernel (the whole result, sorted there) or the output's preview */
  source: z.enum(['kernel', 'preview']).optional(),
});

/**
 * A run of this notebook was recorded in the run store, or changed state: an editor's Run all
 * (`running` when it starts, then its final status). The UI refreshes its run history on it.
 */
export const RunRecorded = z.object({
  type: z.literal('runRecorded'),
  runId: z.string(),
  status: z.enum(['queued', 'running', 'ok', 'error', 'timeout', 'cancelled']),
});

export const ServerNotification = z.discriminatedUnion('type', [
  Snapshot,
  CellStatus,
  CellOutput,
  CellSource,
  CellInfo,
  Ack,
  Saved,
  Conflict,
  ExternalChange,
  ErrorNotification,
  TablePageResult,
  RunRecorded,
]);
export type ServerNotification = z.infer<typeof ServerNotification>;
export type NotificationOf<T extends ServerNotification['type']> = Extract<ServerNotification, { type: T }>;
