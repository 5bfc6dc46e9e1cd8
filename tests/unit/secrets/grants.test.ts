// The grant rule as a table of cases (secrets/grants.ts): grants in, a run's notebook and user in,
// allowed or the refusal's reason out; grant paths normalized or refused; a revocation that would
// open a secret wider is named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decideRead,
  grantPath,
  HOST_USER,
  pathCovers,
  widening,
  type RunUser,
  type SecretGrant,
} from '../../../src/secrets/grants.js';

const path = (subject: string): SecretGrant => ({ kind: 'path', subject });
const user = (subject: string): SecretGrant => ({ kind: 'user', subject });
const alice: RunUser = { kind: 'account', id: 'u-alice', name: 'alice' };
const bob: RunUser = { kind: 'account', id: 'u-bob', name: 'bob' };
const editor: RunUser = { kind: 'nobody', why: "an editor session's kernel is shared" };

const cases: [string, SecretGrant[], string | undefined, RunUser, true | RegExp][] = [
  ['no grants: every run', [], 'scratch/x.nb.md', editor, true],
  ['no grants: even a run without a notebook path', [], undefined, bob, true],
  ['folder grant covers a notebook under it', [path('reports/')], 'reports/q1.nb.md', editor, true],
  ['folder grant covers nested folders', [path('reports/')], 'reports/2024/q1.nb.md', HOST_USER, true],
  [
    'folder grant does not cover a sibling with the same prefix',
    [path('reports/')],
    'reports-old/q1.nb.md',
    HOST_USER,
    /secret "K" is not granted to notebook reports-old\/q1\.nb\.md \(it is granted to reports\/\)/,
  ],
  ['notebook grant covers that notebook', [path('reports/q1.nb.md')], 'reports/q1.nb.md', HOST_USER, true],
  [
    'notebook grant does not cover its neighbour',
    [path('reports/q1.nb.md')],
    'reports/q2.nb.md',
    HOST_USER,
    /not granted to notebook reports\/q2\.nb\.md/,
  ],
  [
    'a path climbing out of the workspace is covered by nothing',
    [path('reports/')],
    'reports/../../outside/x.nb.md',
    HOST_USER,
    /this run's notebook is not a file of the workspace/,
  ],
  [
    'a "reports/../scratch" path is judged where it lands',
    [path('reports/')],
    'reports/../scratch/x.nb.md',
    HOST_USER,
    /not granted to notebook scratch\/x\.nb\.md/,
  ],
  [
    'an absolute path is covered by nothing',
    [path('reports/')],
    '/etc/reports/x.nb.md',
    HOST_USER,
    /not a file of the workspace/,
  ],
  [
    'no notebook path with path grants: refused',
    [path('reports/')],
    undefined,
    HOST_USER,
    /not a file of the workspace/,
  ],
  ['user grant: that account', [user('u-alice')], 'scratch/x.nb.md', alice, true],
  ['user grant: another account is refused', [user('u-alice')], 'x.nb.md', bob, /not granted to user bob$/],
  [
    'user grant: a run with no user is refused, and says why',
    [user('u-alice')],
    'x.nb.md',
    editor,
    /secret "K" is granted to certain users only, and an editor session's kernel is shared/,
  ],
  ['user grant: the host owner is not restricted', [user('u-alice')], 'x.nb.md', HOST_USER, true],
  ['path AND user: both covered', [path('reports/'), user('u-alice')], 'reports/a.nb.md', alice, true],
  [
    'path AND user: the right user on the wrong path',
    [path('reports/'), user('u-alice')],
    'scratch/a.nb.md',
    alice,
    /not granted to notebook scratch\/a\.nb\.md/,
  ],
  [
    'path AND user: the right path for the wrong user',
    [path('reports/'), user('u-alice')],
    'reports/a.nb.md',
    bob,
    /not granted to user bob/,
  ],
  [
    'path AND user: the host owner still needs the path',
    [path('reports/'), user('u-alice')],
    'scratch/a.nb.md',
    HOST_USER,
    /not granted to notebook/,
  ],
  ['several paths: any one covers', [path('a/'), path('b/x.nb.md')], 'b/x.nb.md', HOST_USER, true],
  ['backslashes are separators', [path('reports/')], 'reports\\q1.nb.md', HOST_USER, true],
];

for (const [name, grants, notebookPath, runUser, expected] of cases)
  test(`decideRead: ${name}`, () => {
    const decision = decideRead('K', grants, { notebookPath, user: runUser });
    if (expected === true) assert.deepEqual(decision, { allowed: true });
    else {
      assert.equal(decision.allowed, false);
      assert.match((decision as { reason: string }).reason, expected);
    }
  });

test('a refusal never lists the users a secret is granted to', () => {
  const decision = decideRead('K', [user('u-alice'), user('u-carol')], {
    notebookPath: 'x.nb.md',
    user: bob,
  });
  assert.equal(decision.allowed, false);
  const { reason } = decision as { reason: string };
  assert.ok(!reason.includes('alice') && !reason.includes('carol'), reason);
});

test('grantPath normalizes a folder or a notebook, and refuses what names no workspace file', () => {
  assert.equal(grantPath('reports/'), 'reports/');
  assert.equal(grantPath('./reports//'), 'reports/');
  assert.equal(grantPath('reports\\2024\\'), 'reports/2024/');
  assert.equal(grantPath('reports/./q1.nb.md'), 'reports/q1.nb.md');
  assert.equal(grantPath('a/../b/x.nb.md'), 'b/x.nb.md');
  for (const bad of ['', '/', '/etc/', '../x/', 'a/../../x', '.', './', 'C:\\x\\']) {
    assert.throws(() => grantPath(bad), /a grant path is a folder/, JSON.stringify(bad));
  }
});

test('pathCovers: a folder by prefix at a "/" boundary, a notebook exactly', () => {
  assert.ok(pathCovers('r/', 'r/x.nb.md'));
  assert.ok(!pathCovers('r/', 'rx.nb.md'));
  assert.ok(pathCovers('r/x.nb.md', 'r/x.nb.md'));
  assert.ok(!pathCovers('r/x.nb.md', 'r/x.nb.md.bak'));
});

test('widening: the last grant, the last of a kind; not when another of the kind remains', () => {
  assert.match(widening([path('a/')], path('a/'))!, /last grant: without grants every run/);
  assert.match(widening([path('a/'), user('u')], path('a/'))!, /last path grant: every notebook/);
  assert.match(widening([path('a/'), user('u')], user('u'))!, /last user grant: every user/);
  assert.equal(widening([path('a/'), path('b/')], path('a/')), undefined);
  assert.equal(widening([path('a/')], path('zzz/')), undefined, 'not a grant it has');
});
