/**
 * What a connection's snapshot says its user may do (session-view.ts `accessOf`, `forConnection`):
 * asked of `authorize` with the notebook as the resource, added to snapshots only, and asked anew
 * for each one (a grant that changes shows in the next snapshot).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerNotification, Snapshot } from '../../../src/protocol/index.js';
import { Snapshot as SnapshotSchema } from '../../../src/protocol/index.js';
import type { Action, Authorize, Resource, User } from '../../../src/server/auth.js';
import { accessOf, forConnection } from '../../../src/server/session-view.js';

const user: User = { id: 'u_1', name: 'rue', role: 'runner' };
const snapshot: Snapshot = {
  type: 'snapshot',
  path: 'sales/q1.nb.md',
  version: null,
  text: '',
  dirty: false,
  cells: [],
  params: { schema: [], values: {} },
};

test('accessOf asks authorize for edit and execute on the notebook itself, and whether it is locked', () => {
  const asked: [string, Action, Resource][] = [];
  const authorize: Authorize = (who, action, resource) => {
    asked.push([who.id, action, resource]);
    return (
      action === 'notebook:execute' && resource.kind === 'notebook' && resource.path === 'sales/q1.nb.md'
    );
  };
  authorize.locked = (path) => path === 'other.nb.md';
  assert.deepEqual(accessOf(authorize, user, 'sales/q1.nb.md'), {
    edit: false,
    execute: true,
    locked: false,
  });
  assert.deepEqual(accessOf(authorize, user, 'other.nb.md'), { edit: false, execute: false, locked: true });
  assert.deepEqual(asked.slice(0, 2), [
    ['u_1', 'notebook:edit', { kind: 'notebook', path: 'sales/q1.nb.md' }],
    ['u_1', 'notebook:execute', { kind: 'notebook', path: 'sales/q1.nb.md' }],
  ]);
  // An authorize that knows no locks (the single-user baseline without a store): not locked.
  assert.equal(accessOf(() => true, user, 'a.nb.md').locked, false);
});

test('forConnection adds the access to a snapshot (a copy, valid for the schema) and to nothing else', () => {
  let grants = 0;
  const access = (path: string) => ({ edit: path === snapshot.path && grants > 0, execute: true });
  const first = forConnection(snapshot, access);
  assert.deepEqual(first, { ...snapshot, access: { edit: false, execute: true } });
  assert.equal('access' in snapshot, false, 'the shared snapshot is not changed');
  assert.ok(SnapshotSchema.safeParse(first).success);
  grants = 1;
  assert.deepEqual((forConnection(snapshot, access) as Snapshot).access, { edit: true, execute: true });
  const ack: ServerNotification = { type: 'ack', requestId: 'r1' };
  assert.equal(forConnection(ack, access), ack);
});
