/**
 * A password for `quire users add` and `quire users passwd`, read from standard input, never from
 * the command line (argv is visible to every user of the machine in `ps` and lands in shell
 * history). One trailing newline is dropped, so `echo` and a password manager's output both work.
 * Input past the longest password accepted is refused as soon as it is seen: a 1 MB stream is not
 * read to its end.
 */
import { MAX_PASSWORD_BYTES } from '../auth/password.js';
import { InputError } from './errors.js';
import { readStdinUpTo } from './stdin.js';

export async function readPasswordFromStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY)
    throw new InputError(
      'give the password on standard input, e.g. `printf %s "$PASSWORD" | quire users …` (never as an argument)',
    );
  // a limit with room for the newline (\r\n) that may follow the longest password
  const read = await readStdinUpTo(
    MAX_PASSWORD_BYTES + 2,
    `a password is at most ${MAX_PASSWORD_BYTES} bytes`,
    stdin,
  );
  const text = read.replace(/\r?\n$/, '');
  if (text === '') throw new InputError('no password on standard input');
  return text;
}
