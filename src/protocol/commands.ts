/**
 * Client commands of the editor protocol (browser → server), one zod schema per message and a
 * discriminated union on `type`. Every command carries a client-chosen `requestId`, echoed in the
 * `ack` or `error` that answers it. Shared by the server and the browser: no Node imports here.
 */
import { z } from 'zod';
import { CELL_LANGUAGE_NAMES } from './languages.js';
import { IDENTIFIER } from './names.js';

const requestId = z.string().min(1).max(200);
const cellId = z.string().min(1).max(500);
/** A cell's source; the WebSocket frame cap bounds the whole message. */
const source = z.string();
const version = z.string().regex(/^[0-9a-f]{64}$/, 'a version is a sha256 in hex');
const paramValue = z.union([z.string(), z.number(), z.boolean()]);

const command = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), requestId, ...shape }).strict();

/** Opens (or re-attaches to) the server session of a notebook; the answer is a `snapshot`. */
export const Open = command('open', { path: z.string().min(1).max(4096) });
export const EditCell = command('editCell', { cellId, source });
/** `language: 'prose'` inserts Markdown; a code cell may be given a `name`. */
export const InsertCell = command('insertCell', {
  index: z.number().int().min(0),
  language: z.enum(CELL_LANGUAGE_NAMES),
  source,
  name: z.string().regex(IDENTIFIER, 'a name is an identifier').optional(),
});
export const DeleteCell = command('deleteCell', { cellId });
/** Sets a code cell's `name` attribute (null removes it); the cell keeps its session id. */
export const RenameCell = command('renameCell', {
  cellId,
  name: z.string().regex(IDENTIFIER, 'a name is an identifier').nullable(),
});
export const MoveCell = command('moveCell', { cellId, index: z.number().int().min(0) });
/** Runs the cell and exactly its transitive dependents (and inputs the kernel lacks). */
export const RunCell = command('runCell', { cellId });
export const RunAll = command('runAll', {});
/** Runs every stale cell (and what they need), e.g. after params changed. */
export const RunStale = command('runStale', {});
export const Interrupt = command('interrupt', {});
export const SetParams = command('setParams', { values: z.record(z.string(), paramValue) });
/** Writes the session's text if the file is still at `baseVersion` (null: the file must not exist). */
export const Save = command('save', { baseVersion: version.nullable() });
/** Drops the session's unsaved edits and loads the file as it is on disk (answered by a snapshot). */
export const Revert = command('revert', {});
/** Raw mode (a notebook that does not parse): replaces the whole text, then parses again. */
export const SaveRaw = command('saveRaw', { text: z.string(), baseVersion: version.nullable() });
/** Rows of a table output; `outputIndex` picks among the cell's outputs (default: the first table). */
export const TablePage = command('tablePage', {
  cellId,
  outputIndex: z.number().int().min(0).optional(),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1).max(10_000),
  sort: z.object({ column: z.string(), descending: z.boolean().default(false) }).optional(),
});

export const ClientCommand = z.discriminatedUnion('type', [
  Open,
  EditCell,
  InsertCell,
  DeleteCell,
  RenameCell,
  MoveCell,
  RunCell,
  RunAll,
  RunStale,
  Interrupt,
  SetParams,
  Save,
  SaveRaw,
  Revert,
  TablePage,
]);
export type ClientCommand = z.infer<typeof ClientCommand>;
export type CommandOf<T extends ClientCommand['type']> = Extract<ClientCommand, { type: T }>;
