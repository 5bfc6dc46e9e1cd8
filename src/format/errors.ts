/** Errors of the notebook format: always carry a 1-based line and column. */
export class NotebookParseError extends Error {
  override readonly name = 'NotebookParseError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly path?: string,
  ) {
    super(`${path ?? '<notebook>'}:${line}:${column}: ${message}`);
  }
}

/** A param value given by a user (CLI flag, API, schedule) that does not fit the schema. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
  constructor(
    message: string,
    /** the param the error is about */
    readonly param: string,
  ) {
    super(message);
  }
}

/** An edit that cannot be applied (unknown cell id, attributes on a prose cell, …). */
export class NotebookEditError extends Error {
  override readonly name = 'NotebookEditError';
}
