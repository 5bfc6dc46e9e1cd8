/** The role baseline as a table: each role and scope against each action. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actionsOf,
  authorizeByRole,
  ROLES,
  SCOPES,
  scopeWithinRole,
  type RoleAction,
} from '../../../src/auth/roles.js';

const ACTIONS: RoleAction[] = [
  'notebook:read',
  'run:read',
  'notebook:execute',
  'notebook:edit',
  'schedule:manage',
  'admin',
];

test('each role allows its rung of the ladder and every rung below', () => {
  const table = Object.fromEntries(
    ROLES.map((role) => [role, ACTIONS.filter((a) => authorizeByRole(role, a))]),
  );
  assert.deepEqual(table, {
    viewer: ['notebook:read', 'run:read'],
    runner: ['notebook:read', 'run:read', 'notebook:execute'],
    editor: ['notebook:read', 'run:read', 'notebook:execute', 'notebook:edit', 'schedule:manage'],
    admin: ACTIONS,
  });
});

test('a token allows what both its scope and its user’s role allow', () => {
  assert.equal(authorizeByRole('admin', 'notebook:edit', 'read'), false);
  assert.equal(authorizeByRole('admin', 'notebook:read', 'read'), true);
  assert.equal(authorizeByRole('editor', 'notebook:execute', 'run'), true);
  assert.equal(
    authorizeByRole('viewer', 'notebook:execute', 'admin'),
    false,
    'a scope never adds to the role',
  );
  for (const scope of SCOPES)
    assert.deepEqual([...actionsOf(scope)], [...actionsOf(ROLES[SCOPES.indexOf(scope)]!)]);
});

test('a scope fits a role at its rung or below', () => {
  assert.deepEqual(
    ROLES.map((role) => SCOPES.filter((s) => scopeWithinRole(s, role))),
    [['read'], ['read', 'run'], ['read', 'run', 'edit'], ['read', 'run', 'edit', 'admin']],
  );
});
