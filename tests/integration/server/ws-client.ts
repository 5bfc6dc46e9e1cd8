/** A real `ws` client for the editor tests: logs in, collects notifications, waits for them. */
import WebSocket from 'ws';
import type { RunningServer } from '../../../src/server/server.js';
import type { ClientCommand, ServerNotification } from '../../../src/protocol/index.js';

type Any = ServerNotification & Record<string, unknown>;

export async function login(server: RunningServer): Promise<string> {
  const response = await fetch(server.loginUrl, { redirect: 'manual' });
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

export const wsUrl = (server: RunningServer): string => server.url.replace(/^http/, 'ws') + '/ws';

export class TestClient {
  readonly received: Any[] = [];
  private seq = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Any);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(server: RunningServer, cookie: string): Promise<TestClient> {
    const socket = new WebSocket(wsUrl(server), { headers: { cookie, origin: server.url } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a command (a fresh requestId unless given) and returns its requestId. */
  send(command: Record<string, unknown> & { type: ClientCommand['type'] }): string {
    const requestId = (command.requestId as string | undefined) ?? `r${++this.seq}`;
    this.socket.send(JSON.stringify({ ...command, requestId }));
    return requestId;
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** The first notification (received so far or later) that matches; `after` skips earlier ones. */
  async until(match: (n: Any) => boolean, options: { after?: number; ms?: number } = {}): Promise<Any> {
    const deadline = Date.now() + (options.ms ?? 20_000);
    for (;;) {
      const found = this.received.slice(options.after ?? 0).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out; received: ${JSON.stringify(this.received.slice(-8)).slice(0, 2000)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a command and waits for the answer carrying its requestId. */
  async request(command: Record<string, unknown> & { type: ClientCommand['type'] }): Promise<Any> {
    const requestId = this.send(command);
    return this.until((n) => (n as { requestId?: string }).requestId === requestId);
  }

  /**
   * Opens `path` again until no cell is queued or running (between tries it waits for the next
   * status), and returns that snapshot. The server sends a connection's notifications in order, so
   * every status the runs so far caused has arrived before it: after it, a check that a cell did
   * not run needs no sleep.
   */
  async settled(path: string): Promise<Any> {
    for (;;) {
      const mark = this.mark();
      const snapshot = await this.request({ type: 'open', path });
      const cells = snapshot.cells as { status: string }[];
      if (!cells.some((c) => c.status === 'queued' || c.status === 'running')) return snapshot;
      await this.until((n) => n.type === 'cellStatus', { after: mark });
    }
  }

  mark(): number {
    return this.received.length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
