/**
 * The grants decision (src/auth/grants.ts) as a table of cases: rules in, each account's allowed
 * actions on a path out. The rules: a folder `team/` granted to group `data` (run) and to user
 * `ed` (read); a notebook `team/open-to-all.nb.md` granted to everyone (read); `solo.nb.md` to user
 * `vic` (edit); `locked.nb.md` and `team/x.nb.md` locked; `free/` and the rest open.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accessOn,
  accessRules,
  coveringPaths,
  decideAccess,
  levelOn,
  NO_RULES,
  type Grant,
  type GrantSubject,
  type Principal,
} from '../../../src/auth/grants.js';
import type { RoleAction } from '../../../src/auth/roles.js';

let n = 0;
const grant = (subject: GrantSubject, path: string, level: Grant['level']): Grant => ({
  id: `g_${++n}`,
  subject,
  path,
  level,
  createdBy: null,
  createdAt: 0,
});

const RULES = accessRules(
  [
    grant({ kind: 'group', name: 'data' }, 'team/', 'run'),
    grant({ kind: 'user', id: 'u_ed' }, 'team/', 'read'),
    grant({ kind: 'everyone' }, 'team/open-to-all.nb.md', 'read'),
    grant({ kind: 'user', id: 'u_vic' }, 'solo.nb.md', 'edit'),
  ],
  [
    { userId: 'u_rae', group: 'data' },
    { userId: 'u_ed', group: 'data' },
  ],
  [
    { path: 'locked.nb.md', lockedBy: 'ada', lockedAt: 0, reason: 'published' },
    { path: 'team/x.nb.md', lockedBy: 'ada', lockedAt: 0, reason: null },
  ],
);

const ACTIONS: RoleAction[] = [
  'notebook:read',
  'run:read',
  'notebook:execute',
  'notebook:edit',
  'schedule:manage',
];
const allowed = (who: Principal, path: string, rules = RULES): string[] =>
  ACTIONS.filter((a) => decideAccess(rules, who, a, { kind: 'notebook', path }));

const READ = ['notebook:read', 'run:read'];
const RUN = [...READ, 'notebook:execute'];
const EDIT = [...RUN.slice(0, 2), 'notebook:execute', 'notebook:edit', 'schedule:manage'];

const rae = { id: 'u_rae', role: 'editor' } as const; // in group data
const ed = { id: 'u_ed', role: 'editor' } as const; // in group data, and read on team/ himself
const vic = { id: 'u_vic', role: 'viewer' } as const;
const out = { id: 'u_out', role: 'editor' } as const; // in no group, no grant
const ada = { id: 'u_ada', role: 'admin' } as const;

const CASES: [string, Principal, string, string[]][] = [
  ['an open path: the role baseline', out, 'free/a.nb.md', EDIT],
  ['an open path for a viewer', vic, 'free/a.nb.md', READ],
  ['a folder granted to my group at run: min(editor, run)', rae, 'team/sub/a.nb.md', RUN],
  ['the highest covering grant wins (group run over own read)', ed, 'team/a.nb.md', RUN],
  ['a folder granted only to others: nothing, not even read', out, 'team/a.nb.md', []],
  ['a notebook granted to everyone inside a restricted folder', out, 'team/open-to-all.nb.md', READ],
  ['everyone + my group on the same notebook: the higher', rae, 'team/open-to-all.nb.md', RUN],
  ['a grant never raises above the role (viewer with edit)', vic, 'solo.nb.md', READ],
  ['a notebook granted to another user', out, 'solo.nb.md', []],
  ['a sibling of the granted notebook stays open', out, 'solo2.nb.md', EDIT],
  ['a folder grant does not cover a folder with a longer name', out, 'team2/a.nb.md', EDIT],
  [
    'a locked notebook: no edit, still read and run',
    out,
    'locked.nb.md',
    ['notebook:read', 'run:read', 'notebook:execute', 'schedule:manage'],
  ],
  ['admins are not narrowed by grants', ada, 'team/a.nb.md', EDIT],
  [
    'a locked notebook refuses edit to admins too',
    ada,
    'locked.nb.md',
    ['notebook:read', 'run:read', 'notebook:execute', 'schedule:manage'],
  ],
  ['locked inside a granted folder', rae, 'team/x.nb.md', RUN],
  [
    'a token narrows the level further (run grant, read token)',
    { ...rae, scope: 'read' },
    'team/a.nb.md',
    READ,
  ],
  ['a token on an open path', { ...out, scope: 'run' }, 'free/a.nb.md', RUN],
  ['an admin token of scope read', { ...ada, scope: 'read' }, 'team/a.nb.md', READ],
  ['no role: nothing', { id: 'u_x' }, 'free/a.nb.md', []],
];

for (const [name, who, path, expected] of CASES) {
  test(`${name}: ${who.id}${who.scope ? `(${who.scope})` : ''} on ${path}`, () => {
    assert.deepEqual(allowed(who, path), expected);
  });
}

test('a grant on the workspace covers every path', () => {
  const rules = accessRules(
    [grant({ kind: 'group', name: 'staff' }, '', 'read')],
    [{ userId: 'u_in', group: 'staff' }],
    [],
  );
  assert.deepEqual(allowed({ id: 'u_in', role: 'editor' }, 'any/where.nb.md', rules), READ);
  assert.deepEqual(allowed({ id: 'u_out', role: 'editor' }, 'any/where.nb.md', rules), []);
  assert.deepEqual(allowed({ id: 'u_admin', role: 'admin' }, 'any/where.nb.md', rules), EDIT);
});

test('without grants and locks every decision is the role baseline', () => {
  for (const role of ['viewer', 'runner', 'editor', 'admin'] as const)
    assert.deepEqual(
      allowed({ id: 'u', role }, 'a/b.nb.md', NO_RULES),
      allowed({ id: 'u', role }, 'z.nb.md', NO_RULES),
    );
  assert.deepEqual(allowed({ id: 'u', role: 'runner' }, 'a/b.nb.md', NO_RULES), RUN);
});

test('a run follows its notebook; the workspace and the server follow the role', () => {
  const run = (path?: string) => ({ kind: 'run' as const, id: 'r-1', ...(path ? { path } : {}) });
  assert.equal(decideAccess(RULES, out, 'run:read', run('team/a.nb.md')), false);
  assert.equal(decideAccess(RULES, rae, 'run:read', run('team/a.nb.md')), true);
  assert.equal(decideAccess(RULES, out, 'run:read', run('free/a.nb.md')), true);
  // An unknown run (no path): the role decides, and the handler answers 404.
  assert.equal(decideAccess(RULES, out, 'run:read', run()), true);
  assert.equal(decideAccess(RULES, out, 'notebook:read', { kind: 'workspace' }), true);
  assert.equal(decideAccess(RULES, out, 'admin', { kind: 'server' }), false);
  assert.equal(decideAccess(RULES, ada, 'admin', { kind: 'server' }), true);
});

test('stale rules refuse everything, admins included', () => {
  const stale = { ...RULES, stale: true };
  assert.deepEqual(allowed(ada, 'free/a.nb.md', stale), []);
  assert.equal(decideAccess(stale, ada, 'admin', { kind: 'server' }), false);
});

test('levelOn and coveringPaths', () => {
  assert.deepEqual(coveringPaths('a/b/c.nb.md'), ['', 'a/', 'a/b/', 'a/b/c.nb.md']);
  assert.deepEqual(coveringPaths('c.nb.md'), ['', 'c.nb.md']);
  assert.equal(levelOn(RULES, 'u_out', 'free/a.nb.md'), 'open');
  assert.equal(levelOn(RULES, 'u_out', 'team/a.nb.md'), 'none');
  assert.equal(levelOn(RULES, 'u_ed', 'team/a.nb.md'), 'run');
});

test('accessOn: what the UI shows for an account on a notebook', () => {
  assert.deepEqual(accessOn(RULES, rae, 'team/x.nb.md'), {
    read: true,
    execute: true,
    edit: false,
    locked: true,
  });
  assert.deepEqual(accessOn(RULES, out, 'team/a.nb.md'), {
    read: false,
    execute: false,
    edit: false,
    locked: false,
  });
  assert.deepEqual(accessOn(RULES, ada, 'solo.nb.md'), {
    read: true,
    execute: true,
    edit: true,
    locked: false,
  });
});
