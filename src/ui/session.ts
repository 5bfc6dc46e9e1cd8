/**
 * The editor's WebSocket client (`/ws`, docs/server.md): opens one notebook, validates every
 * notification with the shared zod schemas (src/protocol/), keeps the session's state (the last
 * `snapshot` plus the incremental notifications since) and reconnects with backoff, re-opening the
 * notebook so that a fresh `snapshot` brings the server's state (and outputs) back. No DOM but
 * `WebSocket` and `location`.
 */
import {
  ServerNotification,
  type ClientCommand,
  type NotificationOf,
  type Snapshot,
  type SnapshotAccess,
  type SnapshotCell,
} from '../protocol/index.js';

export type { Snapshot, SnapshotAccess, SnapshotCell } from '../protocol/index.js';

/**
 * What this client's user may do in the notebook, as the server said in its snapshot. None said:
 * nothing (the read-only app view); the gate refuses what is not allowed either way.
 */
export const accessIn = (snapshot: Snapshot): SnapshotAccess => snapshot.access ?? NO_ACCESS;
const NO_ACCESS: SnapshotAccess = { edit: false, execute: false };

/** A command without its `requestId` (the client adds one). */
export type Command = ClientCommand extends infer C
  ? C extends { requestId: string }
    ? Omit<C, 'requestId'>
    : never
  : never;

export type Answer =
  | NotificationOf<'ack'>
  | NotificationOf<'snapshot'>
  | NotificationOf<'saved'>
  | NotificationOf<'conflict'>
  | NotificationOf<'error'>
  | NotificationOf<'tablePage'>;

export type Connection = 'connecting' | 'open' | 'closed';

/** Applies one notification to a snapshot (pure; `snapshot` replaces the whole state). */
export function applyNotification(state: Snapshot | null, n: ServerNotification): Snapshot | null {
  if (n.type === 'snapshot') return n;
  if (!state) return state;
  const mapCell = (cellId: string, f: (cell: SnapshotCell) => SnapshotCell): Snapshot => ({
    ...state,
    cells: state.cells.map((cell) => (cell.id === cellId ? f(cell) : cell)),
  });
  switch (n.type) {
    case 'cellStatus':
      return mapCell(n.cellId, (cell) => {
        const next: SnapshotCell = { ...cell, status: n.status };
        // A running cell starts over: its outputs, error and duration are cleared.
        if (n.status === 'running') next.outputs = [];
        if (n.status === 'running' || n.status === 'queued') delete next.durationMs;
        if (n.durationMs !== undefined) next.durationMs = n.durationMs;
        if (n.error) next.error = n.error;
        else if (n.status !== 'stale') delete next.error;
        if (n.skippedBecause) next.skippedBecause = n.skippedBecause;
        else delete next.skippedBecause;
        return next;
      });
    case 'cellOutput':
      return mapCell(n.cellId, (cell) => ({ ...cell, outputs: [...cell.outputs, n.output] }));
    case 'cellSource':
      return { ...mapCell(n.cellId, (cell) => ({ ...cell, source: n.source })), dirty: n.dirty };
    case 'cellInfo':
      // The cell's name and declarations as the server now sees them (an absent name: none).
      return mapCell(n.cellId, (cell) => {
        const { name: _old, ...rest } = cell;
        return { ...rest, ...(n.name !== undefined ? { name: n.name } : {}), declarations: n.declarations };
      });
    case 'ack':
      // After an edit the server says whether the text still differs from the file.
      return n.dirty === undefined ? state : { ...state, dirty: n.dirty };
    case 'saved':
      return { ...state, version: n.version, dirty: false };
    default:
      return state;
  }
}

export interface SessionConnectionOptions {
  /** the WebSocket URL (default: `/ws` on this origin) */
  url?: string;
  /** backoff of reconnects: first delay and cap, ms */
  minDelayMs?: number;
  maxDelayMs?: number;
}

type Listener = () => void;

/** The browser's connection to the server's session of one notebook (src/server/notebook-session.ts). */
export class SessionConnection {
  state: Snapshot | null = null;
  connection: Connection = 'connecting';
  /** notifications the caller did not ask for: `error` without a request, `externalChange`, `conflict` */
  onNotification?: (n: ServerNotification) => void;

  private snapshotWaiters: ((snapshot: Snapshot) => void)[] = [];
  private socket: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private pending = new Map<string, (answer: Answer) => void>();
  private nextId = 1;
  private delay: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly url: string;

  constructor(
    readonly path: string,
    private readonly options: SessionConnectionOptions = {},
  ) {
    // `globalThis.location`: this module is also type-checked (and unit-tested) without the DOM lib.
    const here = (globalThis as { location?: { protocol: string; host: string } }).location;
    const scheme = here?.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = options.url ?? `${scheme}//${here?.host ?? 'localhost'}/ws`;
    this.delay = options.minDelayMs ?? 250;
    this.connect();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a command; resolves with the answer that carries its requestId (rejects when offline). */
  send(command: Command): Promise<Answer> {
    const requestId = `r${this.nextId++}`;
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN)
      return Promise.reject(new Error('not connected to the server'));
    let rollback: ((answer: Answer) => void) | undefined;
    if (command.type === 'editCell' && this.state) {
      // Optimistic: the server answers an edit with an ack only; its source is now this one.
      const previous = this.state;
      const before = previous.cells.find((c) => c.id === command.cellId)?.source;
      this.state = applyNotification(previous, {
        type: 'cellSource',
        cellId: command.cellId,
        source: command.source,
        dirty: true,
      });
      // A refused edit changed nothing on the server: the state goes back to its source (unless a
      // later edit or notification replaced it meanwhile), so the text is sent again next time
      // rather than taken for saved.
      rollback = (answer) => {
        if (answer.type !== 'error' || before === undefined || !this.state) return;
        const cell = this.state.cells.find((c) => c.id === command.cellId);
        if (cell?.source !== command.source) return;
        this.state = {
          ...this.state,
          dirty: previous.dirty,
          cells: this.state.cells.map((c) => (c.id === command.cellId ? { ...c, source: before } : c)),
        };
      };
    }
    return new Promise((resolve) => {
      this.pending.set(requestId, (answer) => {
        rollback?.(answer);
        resolve(answer);
      });
      socket.send(JSON.stringify({ ...command, requestId }));
    });
  }

  /**
   * The first non-undefined `find(state)`, now or after a later notification; null after `ms`.
   * E.g. the cell an insert added: its snapshot follows the insert's ack.
   */
  waitFor<T>(find: (state: Snapshot) => T | undefined, ms: number): Promise<T | null> {
    return new Promise((resolve) => {
      const check = () => (this.state ? find(this.state) : undefined);
      const now = check();
      if (now !== undefined) return resolve(now);
      const finish = (value: T | null) => {
        stop();
        clearTimeout(timer);
        resolve(value);
      };
      const stop = this.subscribe(() => {
        const found = check();
        if (found !== undefined) finish(found);
      });
      const timer = setTimeout(() => finish(null), ms);
    });
  }

  /** The next `snapshot` to arrive (call before sending the command that causes it). */
  nextSnapshot(): Promise<Snapshot> {
    return new Promise((resolve) => this.snapshotWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private connect(): void {
    if (this.closed) return;
    this.connection = 'connecting';
    this.emit();
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.delay = this.options.minDelayMs ?? 250;
      this.connection = 'open';
      socket.send(JSON.stringify({ type: 'open', path: this.path, requestId: `r${this.nextId++}` }));
      this.emit();
    };
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.connection = 'closed';
      // Commands in flight get no answer now: fail them, the reconnect brings a fresh snapshot.
      for (const resolve of this.pending.values())
        resolve({ type: 'error', message: 'the connection to the server was lost' });
      this.pending.clear();
      this.emit();
      if (this.closed) return;
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, this.options.maxDelayMs ?? 5000);
    };
  }

  private receive(text: string): void {
    let parsed: ServerNotification;
    try {
      const result = ServerNotification.safeParse(JSON.parse(text));
      if (!result.success) {
        console.warn('quire: a notification that does not fit the protocol', result.error.issues);
        return;
      }
      parsed = result.data;
    } catch {
      console.warn('quire: a notification that is not JSON');
      return;
    }
    this.state = applyNotification(this.state, parsed);
    const requestId = 'requestId' in parsed ? parsed.requestId : undefined;
    const resolve = requestId ? this.pending.get(requestId) : undefined;
    if (resolve && requestId) {
      this.pending.delete(requestId);
      resolve(parsed as Answer);
    }
    if (!resolve && parsed.type !== 'snapshot') this.onNotification?.(parsed);
    if (parsed.type === 'snapshot') {
      const waiters = this.snapshotWaiters;
      this.snapshotWaiters = [];
      for (const waiter of waiters) waiter(parsed);
    }
    this.emit();
  }
}
