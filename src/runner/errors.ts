/** The runner's one error type for its callers: bad input, exit code 2. */

/** Bad input: exit code 2. The message names the file (and the line, the param). */
export class RunInputError extends Error {
  override readonly name = 'RunInputError';
}
