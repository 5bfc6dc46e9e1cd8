/**
 * The browser session's state: a snapshot plus the notifications since (src/ui/session.ts,
 * `applyNotification`), without a socket.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerNotification, Snapshot } from '../../../src/protocol/index.js';
import { applyNotification } from '../../../src/ui/session.js';

const snapshot: Snapshot = {
  type: 'snapshot',
  path: 'n.nb.md',
  version: 'a'.repeat(64),
  text: '```ts name=a\nconst a = 1;\n```\n',
  dirty: false,
  cells: [
    {
      id: 'a',
      kind: 'code',
      language: 'ts',
      source: 'const a = 1;',
      status: 'ok',
      durationMs: 4,
      outputs: [{ mime: 'text/plain', data: '1' }],
      declarations: ['a'],
    },
    { id: 'b', kind: 'code', language: 'ts', source: 'a + 1', status: 'idle', outputs: [], declarations: [] },
  ],
  params: { schema: [], values: {} },
};

const apply = (...ns: ServerNotification[]) => ns.reduce<Snapshot | null>(applyNotification, snapshot);

test('nothing applies before the first snapshot, and a snapshot replaces the state', () => {
  assert.equal(
    applyNotification(null, { type: 'cellOutput', cellId: 'a', output: { mime: 'text/plain', data: 'x' } }),
    null,
  );
  const next = { ...snapshot, dirty: true };
  assert.equal(applyNotification(snapshot, next), next);
});

test('running clears a cell outputs and duration; outputs append; a finish sets the duration', () => {
  const state = apply(
    { type: 'cellStatus', cellId: 'a', status: 'running' },
    { type: 'cellOutput', cellId: 'a', output: { mime: 'text/plain', data: '2' } },
    { type: 'cellOutput', cellId: 'a', output: { mime: 'text/plain', data: '3' } },
  );
  assert.deepEqual(
    state?.cells[0]?.outputs.map((o) => o.data),
    ['2', '3'],
  );
  assert.equal(state?.cells[0]?.durationMs, undefined);
  const done = applyNotification(state, { type: 'cellStatus', cellId: 'a', status: 'ok', durationMs: 9 });
  assert.equal(done?.cells[0]?.status, 'ok');
  assert.equal(done?.cells[0]?.durationMs, 9);
  assert.deepEqual(done?.cells[0]?.outputs.length, 2);
  assert.equal(done?.cells[1], snapshot.cells[1], 'other cells are untouched');
});

test('errors and skipped-because follow the status', () => {
  const error = { name: 'TypeError', message: 'boom', line: 2 };
  const failed = apply({ type: 'cellStatus', cellId: 'a', status: 'error', durationMs: 1, error });
  assert.deepEqual(failed?.cells[0]?.error, error);
  const skipped = applyNotification(failed, {
    type: 'cellStatus',
    cellId: 'b',
    status: 'skipped',
    skippedBecause: 'a',
  });
  assert.equal(skipped?.cells[1]?.skippedBecause, 'a');
  const rerun = applyNotification(skipped, { type: 'cellStatus', cellId: 'a', status: 'running' });
  assert.equal(rerun?.cells[0]?.error, undefined);
});

test('another tab edit and a save update source, dirty and version', () => {
  const edited = apply({ type: 'cellSource', cellId: 'b', source: 'a + 2', dirty: true });
  assert.equal(edited?.cells[1]?.source, 'a + 2');
  assert.equal(edited?.dirty, true);
  const saved = applyNotification(edited, { type: 'saved', version: 'b'.repeat(64) });
  assert.equal(saved?.dirty, false);
  assert.equal(saved?.version, 'b'.repeat(64));
  assert.equal(applyNotification(saved, { type: 'ack', requestId: 'r1' }), saved);
});
