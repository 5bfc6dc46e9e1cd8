/**
 * The browser session's state after authoring notifications (src/ui/session.ts): `cellInfo`
 * renames a cell and replaces its declarations, an `ack` with `dirty` sets the unsaved mark, and
 * `waitFor` finds a cell that arrives with a later notification.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerNotification, Snapshot } from '../../../src/protocol/index.js';
import { applyNotification, SessionConnection } from '../../../src/ui/session.js';

const snapshot: Snapshot = {
  type: 'snapshot',
  path: 'n.nb.md',
  version: 'a'.repeat(64),
  text: '',
  dirty: false,
  cells: [
    {
      id: 'q',
      kind: 'code',
      language: 'sql',
      name: 'orders',
      source: 'select 1',
      status: 'ok',
      outputs: [],
      declarations: ['orders'],
    },
    {
      id: 'b',
      kind: 'code',
      language: 'ts',
      source: 'const b = 1;',
      status: 'idle',
      outputs: [],
      declarations: ['b'],
    },
  ],
  params: { schema: [], values: {} },
};
const apply = (...ns: ServerNotification[]) => ns.reduce<Snapshot | null>(applyNotification, snapshot);

test('cellInfo renames, removes a name and replaces the declarations', () => {
  const renamed = apply({ type: 'cellInfo', cellId: 'q', name: 'sales', declarations: ['sales'] });
  assert.equal(renamed?.cells[0]?.name, 'sales');
  assert.deepEqual(renamed?.cells[0]?.declarations, ['sales']);
  assert.equal(renamed?.cells[1], snapshot.cells[1], 'other cells are untouched');

  const unnamed = apply({ type: 'cellInfo', cellId: 'q', declarations: [] });
  assert.equal(unnamed?.cells[0]?.name, undefined);
  assert.ok(!('name' in (unnamed?.cells[0] ?? {})));

  const edited = apply({ type: 'cellInfo', cellId: 'b', declarations: ['b', 'c'] });
  assert.deepEqual(edited?.cells[1]?.declarations, ['b', 'c']);
});

test("an ack's dirty sets the unsaved mark; an ack without it leaves the state as it was", () => {
  assert.equal(apply({ type: 'ack', requestId: 'r1', dirty: true })?.dirty, true);
  const dirty = { ...snapshot, dirty: true };
  assert.equal(applyNotification(dirty, { type: 'ack', requestId: 'r2', dirty: false })?.dirty, false);
  assert.equal(applyNotification(dirty, { type: 'ack', requestId: 'r3' }), dirty);
});

class FakeSocket {
  static readonly OPEN = 1;
  static last: FakeSocket | undefined;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor() {
    FakeSocket.last = this;
  }
  send() {}
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
}

test('waitFor resolves with what a later notification brings, or null after the wait', async () => {
  const real = globalThis.WebSocket;
  (globalThis as { WebSocket: unknown }).WebSocket = FakeSocket;
  try {
    const session = new SessionConnection('n.nb.md', { url: 'ws://test/ws' });
    const socket = FakeSocket.last as FakeSocket;
    socket.readyState = 1;
    socket.onopen?.();
    socket.onmessage?.({ data: JSON.stringify(snapshot) });
    const before = new Set(snapshot.cells.map((c) => c.id));
    const added = session.waitFor((s) => s.cells.find((c) => !before.has(c.id))?.id, 1000);
    const never = session.waitFor((s) => s.cells.find((c) => c.id === 'nope'), 20);
    const cell = {
      id: 'new-3',
      kind: 'code',
      language: 'ts',
      source: '',
      status: 'idle',
      outputs: [],
      declarations: [],
    };
    socket.onmessage?.({ data: JSON.stringify({ ...snapshot, cells: [...snapshot.cells, cell] }) });
    assert.equal(await added, 'new-3');
    assert.equal(await never, null);
    assert.equal(await session.waitFor((s) => s.path, 10), 'n.nb.md', 'already true: at once');
    session.close();
  } finally {
    (globalThis as { WebSocket: unknown }).WebSocket = real;
  }
});
