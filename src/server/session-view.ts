/**
 * Pure views of a notebook session for the protocol: the snapshot of its cells, what one
 * connection's user may do there, and a page of a table output. No I/O; the session
 * (notebook-session.ts) owns the state these read.
 */
import type { NotebookDocument } from '../engine/document/index.js';
import type { CellResult } from '../engine/engine.js';
import type { EngineState } from '../engine/state/index.js';
import type { Cell } from '../format/types.js';
import { ERROR_PLAN, redactWith, type Redactor } from '../outputs/redact.js';
import { MIME, type ErrorData, type TableData } from '../outputs/types.js';
import type {
  CommandOf,
  NotificationOf,
  ServerNotification,
  Snapshot,
  SnapshotAccess,
  SnapshotCell,
} from '../protocol/index.js';
import type { Authorize, User } from './auth.js';

export const redactError = (error: ErrorData | undefined, redactor: Redactor): ErrorData | undefined =>
  error === undefined ? undefined : redactWith(error, ERROR_PLAN, redactor);

/** The names a cell declares, as the engine analysed its current source (each once, in order). */
export const declarationsOf = (state: EngineState, cellId: string): string[] => [
  ...new Set(state.analyses.get(cellId)?.declarations ?? []),
];

/** The protocol's view of one cell: its source, run status, latest outputs and declarations. */
export function snapshotCell(
  cell: Cell,
  state: EngineState,
  results: ReadonlyMap<string, CellResult>,
  redactor: Redactor,
): SnapshotCell {
  const runtime = state.runtime.get(cell.id);
  const result = results.get(cell.id);
  const error = redactError(runtime?.error, redactor);
  return {
    id: cell.id,
    kind: cell.kind,
    ...(cell.kind === 'code' ? { language: cell.language } : {}),
    ...(cell.kind === 'code' && cell.attributes.name ? { name: cell.attributes.name } : {}),
    source: cell.source,
    status: runtime?.status ?? 'idle',
    ...(result && runtime?.status !== 'running' ? { durationMs: result.durationMs } : {}),
    outputs: result ? [...result.outputs] : [],
    ...(error ? { error } : {}),
    ...(runtime?.skippedBecause ? { skippedBecause: runtime.skippedBecause } : {}),
    declarations: declarationsOf(state, cell.id),
  };
}

/** A snapshot's view of a parsed document: its title, cells and params. */
export function documentView(
  { notebook, state }: NotebookDocument,
  results: ReadonlyMap<string, CellResult>,
  redactor: Redactor,
): Pick<Snapshot, 'title' | 'cells' | 'params'> {
  const fm = notebook.frontMatter;
  return {
    ...(fm?.title ? { title: fm.title } : {}),
    cells: notebook.cells.map((cell) => snapshotCell(cell, state, results, redactor)),
    params: { schema: fm?.params ?? [], values: { ...state.params } },
  };
}

/**
 * What `user` may do in the notebook at `path` (workspace-relative, after the path rules: the
 * resource the gate checks commands against), asked of the one `authorize`, so a per-folder grant
 * or a locked notebook shows here as it is enforced there; and whether it is locked, so the UI can
 * tell a lock from a role or grant that does not allow editing. Also each item of the notebook
 * listing's (the gate's `c.var.access`).
 */
export const accessOf = (authorize: Authorize, user: User, path: string): SnapshotAccess => {
  const notebook = { kind: 'notebook', path } as const;
  return {
    edit: authorize(user, 'notebook:edit', notebook),
    execute: authorize(user, 'notebook:execute', notebook),
    locked: authorize.locked?.(path) ?? false,
  };
};

/**
 * A notification as one connection sends it: a snapshot (shared by every client of the session)
 * gets that connection's own access; anything else goes as it is.
 */
export function forConnection(
  notification: ServerNotification,
  access: (path: string) => SnapshotAccess,
): ServerNotification {
  return notification.type === 'snapshot'
    ? { ...notification, access: access(notification.path) }
    : notification;
}

/** The `cellInfo` of a cell: its name and declarations, for every client's completions and headers. */
export function cellInfo(cell: Cell, state: EngineState): NotificationOf<'cellInfo'> {
  return {
    type: 'cellInfo',
    cellId: cell.id,
    ...(cell.kind === 'code' && cell.attributes.name ? { name: cell.attributes.name } : {}),
    declarations: declarationsOf(state, cell.id),
  };
}

const isNull = (v: unknown): boolean => v === null || v === undefined;

/** Ascending or descending, nulls always last, as the kernel's `ORDER BY … NULLS LAST` pages. */
const compare = (a: unknown, b: unknown, descending: boolean): number => {
  if (a === b || (isNull(a) && isNull(b))) return 0;
  if (isNull(a)) return 1;
  if (isNull(b)) return -1;
  const [x, y] = typeof a === 'number' && typeof b === 'number' ? [a, b] : [String(a), String(b)];
  const order = x < y ? -1 : x > y ? 1 : 0;
  return descending ? -order : order;
};

/**
 * Rows `offset…offset+limit` of a cell's table output, sorted on request. Pages come from the
 * preview the output carries (its first rows), not from the kernel: `pageableRows` says how far
 * paging reaches, `rowCount` how many rows the whole result has.
 */
export function tablePage(
  command: CommandOf<'tablePage'>,
  result: CellResult | undefined,
): NotificationOf<'tablePage'> | string {
  const tables = (result?.outputs ?? []).map((o, i) => ({ o, i })).filter(({ o }) => o.mime === MIME.table);
  const picked =
    command.outputIndex === undefined ? tables[0] : tables.find(({ i }) => i === command.outputIndex);
  if (!picked)
    return `cell ${command.cellId} has no table output${command.outputIndex === undefined ? '' : ` at ${command.outputIndex}`}`;
  const table = picked.o.data as TableData;
  let rows = table.rows;
  if (command.sort) {
    const column = table.columns.findIndex((c) => c.name === command.sort?.column);
    if (column === -1) return `the table has no column ${JSON.stringify(command.sort.column)}`;
    const descending = command.sort.descending;
    rows = [...rows].sort((a, b) => compare(a[column], b[column], descending));
  }
  return {
    type: 'tablePage',
    requestId: command.requestId,
    cellId: command.cellId,
    offset: command.offset,
    columns: table.columns,
    rows: rows.slice(command.offset, command.offset + command.limit),
    pageableRows: table.rows.length,
    rowCount: table.rowCount,
  };
}
