/**
 * What an account's kernels may read (src/auth/file-access.ts): cases from the grants model, and a
 * property — for random grants, groups and files, a file is readable by the boundaries
 * (the nearest enclosing ungranted/shown path decides) exactly when the grants give its user a level
 * on it (grants.ts levelOn ≠ none). The property is written against levelOn, independently of how
 * the boundaries are found.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ALL_FILES, fileAccessOf, sameFileAccess, type FileAccess } from '../../../src/auth/file-access.js';
import { accessRules, levelOn, type Grant, type GrantSubject } from '../../../src/auth/grants.js';

let n = 0;
const grant = (subject: GrantSubject, path: string, level: Grant['level'] = 'read'): Grant => ({
  id: `g_${++n}`,
  subject,
  path,
  level,
  createdBy: null,
  createdAt: 0,
});

/** Readable by the boundaries: the longest ungranted/shown path enclosing `file` decides; none → readable. */
function readableBy(access: FileAccess, file: string): boolean {
  const encloses = (boundary: string) =>
    boundary === '' || file === boundary || (boundary.endsWith('/') && file.startsWith(boundary));
  let best: { length: number; visible: boolean } = { length: -1, visible: true };
  for (const path of access.ungranted)
    if (encloses(path) && path.length > best.length) best = { length: path.length, visible: false };
  for (const path of access.shown)
    if (encloses(path) && path.length > best.length) best = { length: path.length, visible: true };
  return best.visible;
}

const RULES = accessRules(
  [
    grant({ kind: 'group', name: 'data' }, 'team/', 'run'),
    grant({ kind: 'everyone' }, 'team/open.nb.md'),
    grant({ kind: 'user', id: 'u_vic' }, 'team/vic/', 'edit'),
    grant({ kind: 'user', id: 'u_vic' }, 'solo.nb.md', 'edit'),
  ],
  [{ userId: 'u_rae', group: 'data' }],
  [],
);

test('a runner outside the group: the folder hidden, the notebook granted to everyone shown again', () => {
  assert.deepEqual(fileAccessOf(RULES, { id: 'u_sam', role: 'runner' }), {
    ungranted: ['solo.nb.md', 'team/'],
    shown: ['team/open.nb.md'],
  });
});

test('a group member reads the folder; a user grant inside it opens a subfolder to its user only', () => {
  assert.deepEqual(fileAccessOf(RULES, { id: 'u_rae', role: 'editor' }), {
    ungranted: ['solo.nb.md'],
    shown: [],
  });
  assert.deepEqual(fileAccessOf(RULES, { id: 'u_vic', role: 'viewer' }), {
    ungranted: ['team/'],
    shown: ['team/open.nb.md', 'team/vic/'],
  });
});

test('admins and the single-user owner are not narrowed; stale rules hide everything', () => {
  assert.deepEqual(fileAccessOf(RULES, { id: 'u_adm', role: 'admin' }), ALL_FILES);
  assert.deepEqual(fileAccessOf(RULES, { id: 'owner' }), ALL_FILES);
  assert.deepEqual(fileAccessOf({ ...RULES, stale: true }, { id: 'u_adm', role: 'admin' }), {
    ungranted: [''],
    shown: [],
  });
});

test('a grant on the whole workspace hides it from everyone else, with their own grants shown', () => {
  const rules = accessRules(
    [grant({ kind: 'group', name: 'staff' }, ''), grant({ kind: 'user', id: 'u_guest' }, 'public/reports/')],
    [],
    [],
  );
  assert.deepEqual(fileAccessOf(rules, { id: 'u_guest', role: 'viewer' }), {
    ungranted: [''],
    shown: ['public/reports/'],
  });
  assert.ok(
    sameFileAccess(fileAccessOf(rules, { id: 'u_guest', role: 'viewer' }), {
      ungranted: [''],
      shown: ['public/reports/'],
    }),
  );
  assert.ok(!sameFileAccess(ALL_FILES, { ungranted: [''], shown: [] }));
});

const SEGMENTS = ['a', 'b', 'ab'];
const folderArb = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 3 })
  .map((parts) => parts.map((p) => p + '/').join(''));
const fileArb = fc
  .tuple(folderArb, fc.constantFrom('x.nb.md', 'y.csv'))
  .map(([folder, name]) => folder + name);
const subjectArb: fc.Arbitrary<GrantSubject> = fc.oneof(
  fc.constantFrom<GrantSubject>({ kind: 'everyone' }),
  fc.constantFrom('u1', 'u2').map((id): GrantSubject => ({ kind: 'user', id })),
  fc.constantFrom('g1', 'g2').map((name): GrantSubject => ({ kind: 'group', name })),
);
const grantArb = fc
  .tuple(subjectArb, fc.oneof(folderArb, fileArb), fc.constantFrom<Grant['level']>('read', 'run', 'edit'))
  .map(([subject, path, level]) => grant(subject, path, level));

test('property: a file is readable through the boundaries exactly when the grants give a level on it', () => {
  fc.assert(
    fc.property(
      fc.array(grantArb, { maxLength: 8 }),
      fc.array(fc.constantFrom('g1', 'g2'), { maxLength: 2 }),
      fc.array(fileArb, { minLength: 1, maxLength: 12 }),
      (grants, groups, files) => {
        const rules = accessRules(
          grants,
          groups.map((group) => ({ userId: 'u1', group })),
          [],
        );
        const access = fileAccessOf(rules, { id: 'u1', role: 'runner' });
        // Folders the grants name are files' ancestors too: check them as paths of their own.
        for (const file of [...files, ...grants.map((g) => g.path)]) {
          const expected = levelOn(rules, 'u1', file) !== 'none';
          assert.equal(readableBy(access, file), expected, `${file} with ${JSON.stringify(access)}`);
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test('the role and state loaded with the rules win over the principal in hand', () => {
  const accounts = new Map([
    ['u_demoted', { role: 'runner' as const, disabled: false }],
    ['u_promoted', { role: 'admin' as const, disabled: false }],
    ['u_off', { role: 'editor' as const, disabled: true }],
  ]);
  const rules = { ...RULES, accounts };
  assert.deepEqual(fileAccessOf(rules, { id: 'u_demoted', role: 'admin' }).ungranted, [
    'solo.nb.md',
    'team/',
  ]);
  assert.deepEqual(fileAccessOf(rules, { id: 'u_promoted', role: 'runner' }), ALL_FILES);
  assert.deepEqual(fileAccessOf(rules, { id: 'u_off', role: 'editor' }), { ungranted: [''], shown: [] });
  assert.deepEqual(fileAccessOf(rules, { id: 'u_gone', role: 'editor' }), { ungranted: [''], shown: [] });
});
