/**
 * Opens the proxy's TCP connection to a target whose addresses policy.ts has checked. It never
 * resolves the name again (the `lookup` it gives `net.connect` answers with the checked addresses
 * only, so Node's happy-eyeballs picks among them), and after connecting it checks the address the
 * socket is actually connected to: if that is not one of the checked addresses, the socket is
 * destroyed before a byte is sent.
 */
import net from 'node:net';
import { canonicalAddress } from './policy.js';
import { describeTarget, hostText, type Target } from './target.js';

export interface DialOptions {
  target: Target;
  /** canonical addresses that passed the policy */
  addresses: string[];
  timeoutMs: number;
  signal: AbortSignal;
}

/** An error with the one-line reason the proxy sends back, and its HTTP status. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status: 502 | 504,
  ) {
    super(message);
  }
}

interface Answer {
  address: string;
  family: number;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | Answer[],
  family?: number,
) => void;

function checkedLookup(addresses: string[]) {
  const answers: Answer[] = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  return (_host: string, options: { all?: boolean }, callback: LookupCallback): void => {
    const first = answers[0] as Answer;
    if (options.all) callback(null, answers);
    else callback(null, first.address, first.family);
  };
}

export function dial(options: DialOptions): Promise<net.Socket> {
  const { target, addresses, timeoutMs, signal } = options;
  const shown = describeTarget(target);
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      // An IP target connects directly; a name goes through the lookup that knows only checked addresses.
      host: target.host.kind === 'ip' ? target.host.value : hostText(target.host),
      port: target.port,
      lookup: checkedLookup(addresses) as unknown as net.LookupFunction,
    });
    const fail = (error: UpstreamError): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(new UpstreamError(`egress to ${shown}: the client went away`, 502));
    const onError = (error: NodeJS.ErrnoException): void =>
      fail(new UpstreamError(`egress to ${shown} failed: ${error.code ?? error.message}`, 502));
    const onTimeout = (): void =>
      fail(new UpstreamError(`egress to ${shown} failed: no connection within ${timeoutMs / 1000}s`, 504));
    const onConnect = (): void => {
      const remote = socket.remoteAddress === undefined ? undefined : canonicalAddress(socket.remoteAddress);
      if (remote === undefined || !addresses.includes(remote)) {
        fail(
          new UpstreamError(
            `egress to ${shown} refused: connected to ${socket.remoteAddress}, not a checked address`,
            502,
          ),
        );
        return;
      }
      cleanup();
      resolve(socket);
    };
    const cleanup = (): void => {
      socket.setTimeout(0);
      socket.off('timeout', onTimeout);
      socket.off('error', onError);
      socket.off('connect', onConnect);
      signal.removeEventListener('abort', onAbort);
    };
    socket.setTimeout(timeoutMs, onTimeout);
    socket.once('error', onError);
    socket.once('connect', onConnect);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
