/**
 * The vocabulary of the dataflow graph (DESIGN §3). Pure data: the graph never sees cell source,
 * only what analysis said each cell declares and references.
 */

/** One cell as the graph sees it. */
export interface GraphNode {
  id: string;
  /** names the cell defines (its outputs) */
  declarations: readonly string[];
  /** free names the cell reads (its inputs); names no cell defines make no edge */
  references: readonly string[];
}

export interface BuildOptions {
  /** names defined outside cells (params, host globals): references to them make no edge, and a
   * cell that defines one is in error */
  builtins?: readonly string[];
}

/** A name defined more than once: by several cells, or by a cell and a builtin/param. */
export interface DuplicateError {
  kind: 'duplicate';
  name: string;
  /**
   * the other cells that define `name`, in document order: the first `LISTED_CELLS` of them
   * (`otherCount` says how many there are), so that n cells defining one name cost O(n), not O(n²)
   */
  others: string[];
  /** how many other cells define `name` */
  otherCount: number;
  /** true when `name` is a builtin (a param) */
  builtin: boolean;
  message: string;
}

/** The cell is part of a dependency cycle. */
export interface CycleError {
  kind: 'cycle';
  /**
   * a cycle through this cell, starting and ending with it: `[a, b, a]`. A cycle of more than
   * `LISTED_CELLS` cells is shortened to its first cells and this cell again (`length` says how
   * long it is): n cells on one cycle then cost O(n), not O(n²).
   */
  path: string[];
  /** how many cells the cycle has (`path.length - 1` unless shortened) */
  length: number;
  message: string;
}

export type GraphError = DuplicateError | CycleError;

/** At most this many cells are named in one error (its message and its list of cells). */
export const LISTED_CELLS = 10;

export interface Graph {
  /** the nodes in document order */
  readonly nodes: readonly GraphNode[];
  /** cell id -> document index */
  readonly index: ReadonlyMap<string, number>;
  /** name -> the cell defining it, only for names defined exactly once (and not a builtin) */
  readonly definitions: ReadonlyMap<string, string>;
  /** cell id -> cells it reads from, in document order */
  readonly upstream: ReadonlyMap<string, readonly string[]>;
  /** cell id -> cells that read from it, in document order */
  readonly downstream: ReadonlyMap<string, readonly string[]>;
  /** every cell, topologically, ties broken by document order (edges inside a cycle are ignored) */
  readonly order: readonly string[];
  /** cell id -> position in `order` */
  readonly position: ReadonlyMap<string, number>;
  /** cell id -> its graph errors; cells without errors are absent */
  readonly errors: ReadonlyMap<string, readonly GraphError[]>;
  readonly builtins: ReadonlySet<string>;
}
