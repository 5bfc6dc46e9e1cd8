/**
 * Exit codes of every command (DESIGN §4) and the error type that carries one.
 */
export const EXIT = {
  ok: 0,
  /** the notebook failed: a cell error or a failed check */
  failed: 1,
  /** bad input: parse error, unknown or ill-typed param, missing file, bad flag */
  badInput: 2,
  /** a cell or the run passed its time limit */
  timeout: 3,
} as const;

/** A user's mistake that ends a command with exit code 2 and a one-line message. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
