/**
 * Exit codes of every command (DESIGN §4), the codes of a command stopped by a signal, and the
 * error type that carries exit code 2.
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

/** A command stopped by a signal exits as a shell reports it: 128 + the signal's number. */
export const SIGNAL_EXIT: Readonly<Partial<Record<NodeJS.Signals, number>>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

/** A user's mistake that ends a command with exit code 2 and a one-line message. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
