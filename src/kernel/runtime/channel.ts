/**
 * The runtime's side of the IPC channel: sending notifications and the request/response pairs the
 * runtime starts itself (connection queries). Types only from the protocol: the kernel never loads
 * zod, the host validates.
 */
import type { ConnectionResult, KernelNotification } from '../protocol.js';
import type { z } from 'zod';

type ConnectionReply = z.infer<typeof ConnectionResult>;

/** Sends one notification; false when it could not be serialized (a value that cannot be cloned). */
export function send(message: KernelNotification): boolean {
  try {
    process.send?.(message);
    return true;
  } catch {
    return false;
  }
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
        error: 'the query parameters cannot be sent',
      });
    }
  });
}

export function settleConnection(reply: ConnectionReply): void {
  pending.get(reply.requestId)?.(reply);
  pending.delete(reply.requestId);
}
