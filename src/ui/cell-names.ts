/**
 * Questions the editor answers before it sends a structural command (pure): is this a name the
 * cell can take, which fresh name does a new SQL cell get, may prose go at this index. The server
 * decides in the end; asking here first turns a refused command into an inline hint.
 */
import type { Snapshot, SnapshotCell } from './session.js';
import { BUILTINS } from './completion/names.js';
import { CELL_LANGUAGES } from '../protocol/index.js';
import { IDENTIFIER, RESERVED_WORDS } from '../protocol/index.js';

/** The protocol's rule for a name (src/protocol/names.ts): an identifier. */
export { IDENTIFIER };

type State = Pick<Snapshot, 'cells' | 'params'>;

/**
 * Why `name` cannot be `cell`'s name, or null when it can. `''` means "remove the name". A SQL
 * cell's name is a variable (DESIGN §2), so it must not clash with any name the notebook defines;
 * every code cell's name is also its identity, so no two cells share one.
 */
export function cellNameError(name: string, cell: SnapshotCell, state: State): string | null {
  if (name === '') return null;
  if (!IDENTIFIER.test(name))
    return 'a name is an identifier: letters, digits, _ or $, not starting with a digit';
  if (RESERVED_WORDS.has(name)) return `"${name}" is a reserved word`;
  // Names only: a renamed cell keeps its old name as its id, and that id does not hold the name.
  const other = state.cells.find((c) => c.id !== cell.id && c.name === name);
  if (other) return `another cell is named "${name}"`;
  if (!cell.language || !CELL_LANGUAGES[cell.language].nameDeclares) return null;
  const declaring = state.cells.find((c) => c.id !== cell.id && c.declarations.includes(name));
  if (declaring) return `"${name}" is already declared by cell ${declaring.name ?? declaring.id}`;
  if (state.params.schema.some((p) => p.name === name)) return `"${name}" is a param`;
  if (BUILTINS.some((b) => b.label === name)) return `"${name}" is a built-in`;
  return null;
}

/** Every name and id in use: a new cell's name must be none of them. */
export function takenNames(state: State): Set<string> {
  const taken = new Set<string>(state.params.schema.map((p) => p.name));
  for (const b of BUILTINS) taken.add(b.label);
  for (const cell of state.cells) {
    taken.add(cell.id);
    if (cell.name) taken.add(cell.name);
    for (const d of cell.declarations) taken.add(d);
  }
  return taken;
}

/** `base1`, `base2`, … : the first one not taken. */
export function freshName(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

/**
 * Prose inserted next to prose would merge with it in the file (text between two cells is one
 * Markdown cell), so the server refuses it: the picker offers it only between code cells.
 */
export function canInsertProse(cells: readonly Pick<SnapshotCell, 'kind'>[], index: number): boolean {
  return cells[index - 1]?.kind !== 'prose' && cells[index]?.kind !== 'prose';
}
