/**
 * Standard input read whole, for the values a command must not take from argv (a password, a
 * secret): past `limit` bytes the input is refused as soon as it is seen, so a huge stream is not
 * read to its end.
 */
import { InputError } from './errors.js';

export async function readStdinUpTo(
  limit: number,
  tooLong: string,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > limit) {
      stdin.destroy();
      throw new InputError(tooLong);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
