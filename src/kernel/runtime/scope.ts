/**
 * The notebook's names inside the kernel: values declared by cells, SQL results and params. It
 * also remembers which cell defined which names, so a cell that runs again first forgets its old
 * values (a failing re-run must not leave stale ones behind).
 */

export class Scope {
  private readonly values = new Map<string, unknown>();
  private readonly byCell = new Map<string, string[]>();
  /** the table-like value each cell showed last (its SQL result, its last expression) */
  private readonly shown = new Map<string, unknown>();

  has(name: string): boolean {
    return this.values.has(name);
  }

  get(name: string): unknown {
    return this.values.get(name);
  }

  /** Params and other plain values the host defines. */
  define(values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) this.values.set(name, value);
  }

  delete(names: string[]): void {
    for (const name of names) this.values.delete(name);
  }

  /** Drops the names `cellId` defined last time it ran. */
  forgetCell(cellId: string): void {
    this.delete(this.byCell.get(cellId) ?? []);
    this.byCell.delete(cellId);
    this.shown.delete(cellId);
  }

  /** Remembers the table a cell showed, for paging it later (table-page.ts). */
  showTable(cellId: string, value: unknown): void {
    this.shown.set(cellId, value);
  }

  shownTable(cellId: string): unknown {
    return this.shown.get(cellId);
  }

  /** Binds what a cell declared. */
  bindCell(cellId: string, values: Map<string, unknown>): string[] {
    const names = [...values.keys()];
    for (const [name, value] of values) this.values.set(name, value);
    this.byCell.set(cellId, names);
    return names;
  }

  /**
   * The arguments for a cell's inputs. A name no cell defines is a ReferenceError naming it —
   * unless it is a global (`Math`, `display`), which the cell then reads as usual.
   */
  inputs(names: string[]): unknown[] {
    return names.map((name) => {
      if (this.values.has(name)) return this.values.get(name);
      if (name in globalThis) return (globalThis as Record<string, unknown>)[name];
      throw new ReferenceError(`${name} is not defined (no cell has defined it in this kernel)`);
    });
  }

  /** Names in scope whose value is a table-like value: candidates for SQL `FROM`. */
  entries(): IterableIterator<[string, unknown]> {
    return this.values.entries();
  }
}
