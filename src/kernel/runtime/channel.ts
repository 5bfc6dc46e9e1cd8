/**
 * The runtime's side of the kernel channel (fd 3, framed by ../frames.ts): sending notifications,
 * receiving commands, and the request/response pairs the runtime starts itself (connection
 * queries). Types only from the protocol: the kernel never loads zod, the host validates.
 *
 * User code gets no `process.send`, no `process.channel` and no listener to add: the socket lives
 * in this module, its `emit` and `push` are pinned to the originals (a patched prototype does not
 * see the commands pass), and notifications are written with a `writeSync` captured at startup.
 * What code in the kernel can still do with the raw fd is written up in docs/security.md (a
 * notebook can misreport its own cells, never another kernel's).
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { encodeFrame, FrameReader } from '../frames.js';
import type { ConnectionResult, KernelCommand, KernelNotification } from '../protocol.js';
import { fsWriteSync } from './primordials.js';
import type { z } from 'zod';

type ConnectionReply = z.infer<typeof ConnectionResult>;

/** The fd the host gives the kernel its channel on (stdio index 3, a socket pair). */
const CHANNEL_FD = 3;
const { emit } = EventEmitter.prototype;
const { push } = Readable.prototype;
/** How long a write waits when the host's side is full before it tries again. */
const FULL_WAIT = new Int32Array(new SharedArrayBuffer(4));

let open = false;
let messageCap = Infinity;

/**
 * Opens the channel: `onCommand` gets each command in order; `onClose` runs when the host closes
 * its end or breaks the framing (the host is gone or faulty: nothing is left to serve).
 */
export function openChannel(
  capBytes: number,
  onCommand: (command: KernelCommand) => void,
  onClose: () => void,
): void {
  open = true;
  messageCap = capBytes;
  // Commands come from the host, which is trusted: no size limit on what it sends (a connection's
  // result can be large), only on what the kernel sends back.
  const reader = new FrameReader(Number.MAX_SAFE_INTEGER, (command) => onCommand(command as KernelCommand));
  const socket = new Socket({ fd: CHANNEL_FD, readable: true, writable: false });
  for (const [name, value] of [
    ['emit', emit],
    ['push', push],
  ] as const)
    Object.defineProperty(socket, name, { value, writable: false, configurable: false });
  socket.on('data', (chunk: Buffer) => {
    try {
      reader.push(chunk);
    } catch {
      onClose();
    }
  });
  socket.on('end', onClose);
  socket.on('error', onClose);
}

/** Writes all of `frame`, waiting while the socket is full (the fd is non-blocking once opened). */
function writeAll(frame: Buffer): void {
  for (let written = 0; written < frame.length;) {
    try {
      written += fsWriteSync(CHANNEL_FD, frame, written, frame.length - written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(FULL_WAIT, 0, 0, 1);
    }
  }
}

/**
 * Sends one notification; false when it could not be sent: a value that cannot be cloned, or a
 * message over the channel's limit (the host would end the kernel for it). The write is synchronous
 * (nothing is lost when a cell exits right after) and waits while the host's side is full, which is
 * the back-pressure a flooding cell deserves.
 */
export function send(message: KernelNotification): boolean {
  if (!open) return false;
  let frame: Buffer;
  try {
    frame = encodeFrame(message);
  } catch {
    return false;
  }
  if (frame.length > messageCap) return false;
  try {
    writeAll(frame);
  } catch {
    // The host is gone (EPIPE): the channel's end handler stops the kernel.
    return false;
  }
  return true;
}

let nextRequest = 1;
const pending = new Map<number, (reply: ConnectionReply) => void>();

/** Asks the host to run a query on a named connection (the credentials live in the host). */
export function queryConnection(
  connection: string,
  sql: string,
  parameters: unknown[],
): Promise<ConnectionReply> {
  const requestId = nextRequest++;
  return new Promise((resolve) => {
    pending.set(requestId, resolve);
    if (!send({ type: 'connectionQuery', requestId, connection, sql, parameters })) {
      pending.delete(requestId);
      resolve({
        type: 'connectionResult',
        requestId,
        ok: false,
        error: 'the query parameters cannot be sent (not serializable, or over the channel limit)',
      });
    }
  });
}

export function settleConnection(reply: ConnectionReply): void {
  pending.get(reply.requestId)?.(reply);
  pending.delete(reply.requestId);
}
