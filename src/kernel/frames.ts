/**
 * The kernel channel's framing: each message is a 4-byte big-endian length and that many bytes of
 * `v8.serialize` (structured clone, so Dates, BigInts, Maps and typed arrays cross as they are).
 *
 * Quire frames its own channel over a plain pipe instead of Node's IPC so that the host can refuse
 * a message by its header, before buffering it: a kernel runs user code, and a cell that writes a
 * 4 GiB message must end its kernel with a clear error rather than cost the server 4 GiB. (Node's
 * IPC reads a whole message before anyone can look at it, and it hands `process.send` to user code.)
 */
import { deserialize, serialize } from 'node:v8';

const HEADER_BYTES = 4;

// Captured when the module loads (in a kernel: before any user code runs), and no arrays or
// prototype lookups on the way, so a cell that replaces a built-in cannot watch frames pass
// (runtime/primordials.ts says why).
const { apply } = Reflect;
const { allocUnsafe } = Buffer;
const { readUInt32BE, writeUInt32BE, copy } = Buffer.prototype;

/** A message larger than the reader's limit; nothing of it was buffered past its header. */
export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`a message of ${size} bytes, over the limit of ${limit} bytes`);
    this.name = 'FrameTooLargeError';
  }
}

export function encodeFrame(message: unknown): Buffer {
  const body = serialize(message);
  const frame = allocUnsafe(HEADER_BYTES + body.length);
  apply(writeUInt32BE, frame, [body.length, 0]);
  apply(copy, body, [frame, HEADER_BYTES]);
  return frame;
}

/**
 * Turns a byte stream back into messages. `push` calls `onMessage` for each message a chunk
 * completes and throws {@link FrameTooLargeError} as soon as a header announces more than `limit`
 * bytes, or the deserializer's error for bytes that are not a message; after a throw the reader is
 * unusable (the stream has lost its framing) and the caller ends the channel. Each body is
 * allocated once at its announced size, so a message in many chunks is copied once.
 */
export class FrameReader {
  private readonly header = allocUnsafe(HEADER_BYTES);
  private headerFilled = 0;
  private body: Buffer | undefined;
  private bodyFilled = 0;

  constructor(
    private readonly limit: number,
    private readonly onMessage: (message: unknown) => void,
  ) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.body === undefined) {
        const take = Math.min(HEADER_BYTES - this.headerFilled, chunk.length - offset);
        apply(copy, chunk, [this.header, this.headerFilled, offset, offset + take]);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled < HEADER_BYTES) return;
        const size = apply(readUInt32BE, this.header, [0]) as number;
        if (size > this.limit) throw new FrameTooLargeError(size, this.limit);
        if (size === 0) throw new Error('an empty message');
        this.headerFilled = 0;
        this.body = allocUnsafe(size);
        this.bodyFilled = 0;
      }
      const take = Math.min(this.body.length - this.bodyFilled, chunk.length - offset);
      apply(copy, chunk, [this.body, this.bodyFilled, offset, offset + take]);
      this.bodyFilled += take;
      offset += take;
      if (this.bodyFilled === this.body.length) {
        const body = this.body;
        this.body = undefined;
        this.onMessage(deserialize(body));
      }
    }
  }
}
