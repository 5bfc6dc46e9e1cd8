/**
 * Captures what user code prints: `console.*` and `process.stdout/stderr.write` become stream
 * outputs of the running cell instead of bytes on the real pipes. (Native code writing to fd 1/2
 * bypasses this; the host captures those bytes from the pipes.)
 */
import { writeStream } from './cell.js';

type WriteCallback = (error?: Error | null) => void;

function toText(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) {
    const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(
      Buffer.isEncoding(enc) ? enc : 'utf8',
    );
  }
  return String(chunk);
}

function patch(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void {
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    writeStream(name, toText(chunk, encoding));
    const done = (typeof encoding === 'function' ? encoding : callback) as WriteCallback | undefined;
    if (typeof done === 'function') process.nextTick(done, null);
    return true;
  };
  // The global console writes through `stream.write`, so this one patch captures console.* as well.
  stream.write = write as NodeJS.WriteStream['write'];
}

export function installCapture(): void {
  patch(process.stdout, 'stdout');
  patch(process.stderr, 'stderr');
}
