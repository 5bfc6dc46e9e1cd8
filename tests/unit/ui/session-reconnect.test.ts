/**
 * The browser session's connection (src/ui/session.ts) over a fake WebSocket: it opens the
 * notebook, answers commands by requestId, drops notifications that do not fit the protocol, and
 * after a dropped connection reconnects with backoff and opens the notebook again.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { SessionConnection } from '../../../src/ui/session.js';

class FakeSocket {
  static readonly OPEN = 1;
  static made: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

/** The session's sockets are FakeSockets for the rest of test `t` (other files share this process). */
function fakeSockets(t: TestContext): void {
  const real = globalThis.WebSocket;
  (globalThis as { WebSocket: unknown }).WebSocket = FakeSocket;
  FakeSocket.made = [];
  t.after(() => {
    (globalThis as { WebSocket: unknown }).WebSocket = real;
    FakeSocket.made = [];
  });
}

const snapshot = (text: string) => ({
  type: 'snapshot',
  path: 'n.nb.md',
  version: null,
  text,
  dirty: false,
  cells: [],
  params: { schema: [], values: {} },
});

test('opens the notebook, answers by requestId, ignores what does not fit the protocol', async (t) => {
  fakeSockets(t);
  const session = new SessionConnection('n.nb.md', { url: 'ws://test/ws' });
  const socket = FakeSocket.made[0] as FakeSocket;
  socket.open();
  assert.equal(socket.sent[0]?.type, 'open');
  assert.equal(socket.sent[0]?.path, 'n.nb.md');
  socket.receive(snapshot('one'));
  assert.equal(session.state?.text, 'one');

  const answer = session.send({ type: 'runAll' });
  const requestId = socket.sent[1]?.requestId as string;
  const warn = console.warn;
  const warned: unknown[] = [];
  console.warn = (...args: unknown[]) => warned.push(args[0]);
  socket.receive({ type: 'cellStatus', cellId: 42 }); // does not fit: dropped, with a warning
  console.warn = warn;
  assert.equal(warned.length, 1);
  socket.receive({ type: 'ack', requestId });
  assert.deepEqual(await answer, { type: 'ack', requestId });

  const unprompted: string[] = [];
  session.onNotification = (n) => unprompted.push(n.type);
  socket.receive({ type: 'error', message: 'refused' });
  assert.deepEqual(unprompted, ['error']);
  session.close();
});

test('a dropped connection fails the commands in flight, reconnects with backoff and re-opens', async (t) => {
  fakeSockets(t);
  // The reconnect delays run on a mock clock: each step is exact, whatever the machine's speed.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const session = new SessionConnection('n.nb.md', { url: 'ws://test/ws', minDelayMs: 10, maxDelayMs: 40 });
  const first = FakeSocket.made[0] as FakeSocket;
  first.open();
  first.receive(snapshot('before'));
  const inFlight = session.send({ type: 'runAll' });
  first.close();
  assert.equal(session.connection, 'closed');
  assert.equal((await inFlight).type, 'error');
  await assert.rejects(session.send({ type: 'runAll' }), /not connected/);

  t.mock.timers.tick(9);
  assert.equal(FakeSocket.made.length, 1, 'no new socket before the first delay');
  t.mock.timers.tick(1);
  const second = FakeSocket.made[1] as FakeSocket;
  assert.ok(second, 'a new socket after the delay');
  second.close(); // the server is still away: the next delay is longer
  t.mock.timers.tick(19);
  assert.equal(FakeSocket.made.length, 2, 'no new socket before the doubled delay');
  t.mock.timers.tick(1);
  const third = FakeSocket.made[2] as FakeSocket;
  assert.ok(third, 'a new socket after the doubled delay');
  third.open();
  assert.equal(third.sent[0]?.type, 'open');
  third.receive(snapshot('after'));
  assert.equal(session.state?.text, 'after');
  assert.equal(session.connection, 'open');
  session.close();
  t.mock.timers.runAll(); // a reconnect scheduled by close() would happen here
  assert.equal(FakeSocket.made.length, 3, 'no reconnect after close()');
});

test('an edit the server refuses is rolled back, so the text is sent again rather than taken as saved', async (t) => {
  fakeSockets(t);
  const session = new SessionConnection('n.nb.md', { url: 'ws://test/ws' });
  const socket = FakeSocket.made[0] as FakeSocket;
  socket.open();
  const cell = { id: 'p', kind: 'prose', source: 'Old.', status: 'idle', outputs: [], declarations: [] };
  socket.receive({ ...snapshot('Old.\n'), cells: [cell] });
  const source = () => session.state?.cells[0]?.source;

  const refused = session.send({ type: 'editCell', cellId: 'p', source: 'Open ${' });
  assert.equal(source(), 'Open ${', 'optimistic while in flight');
  assert.equal(session.state?.dirty, true);
  socket.receive({ type: 'error', requestId: socket.sent[1]?.requestId, message: 'unterminated ${' });
  assert.equal((await refused).type, 'error');
  assert.equal(source(), 'Old.');
  assert.equal(session.state?.dirty, false);

  // an accepted edit stays; a refusal that arrives after a newer text leaves the newer one alone
  const accepted = session.send({ type: 'editCell', cellId: 'p', source: 'New.' });
  socket.receive({ type: 'ack', requestId: socket.sent[2]?.requestId, dirty: true });
  await accepted;
  const late = session.send({ type: 'editCell', cellId: 'p', source: 'Bad ${' });
  socket.receive({ type: 'cellSource', cellId: 'p', source: 'From another tab.', dirty: true });
  socket.receive({ type: 'error', requestId: socket.sent[3]?.requestId, message: 'refused' });
  await late;
  assert.equal(source(), 'From another tab.');
  session.close();
});
