/** resolveInWorkspace: a table of requested paths against a real workspace with real symlinks. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PathError, resolveInWorkspace, type PathErrorReason } from '../../../src/server/paths.js';

let base: string;
let ws: string;

before(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'quire-paths-')));
  ws = join(base, 'ws');
  const outside = join(base, 'outside');
  mkdirSync(join(ws, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(ws, 'a.nb.md'), 'a');
  writeFileSync(join(ws, 'sub', 'b.nb.md'), 'b');
  writeFileSync(join(outside, 'secret.nb.md'), 'secret');
  symlinkSync(join(outside, 'secret.nb.md'), join(ws, 'link-out.nb.md'));
  symlinkSync(outside, join(ws, 'dir-out'));
  symlinkSync(join(ws, 'sub'), join(ws, 'dir-in'));
  symlinkSync(join(ws, 'a.nb.md'), join(ws, 'link-in.nb.md'));
  symlinkSync(join(outside, 'missing.nb.md'), join(ws, 'dangling.nb.md'));
});

after(() => rmSync(base, { recursive: true, force: true }));

const accepted: Array<[requested: string, relative: string, absolute: () => string]> = [
  ['a.nb.md', 'a.nb.md', () => join(ws, 'a.nb.md')],
  ['sub/b.nb.md', 'sub/b.nb.md', () => join(ws, 'sub', 'b.nb.md')],
  ['new.nb.md', 'new.nb.md', () => join(ws, 'new.nb.md')],
  ['sub/new.nb.md', 'sub/new.nb.md', () => join(ws, 'sub', 'new.nb.md')],
  ['missing-dir/new.nb.md', 'missing-dir/new.nb.md', () => join(ws, 'missing-dir', 'new.nb.md')],
  ['dir-in/b.nb.md', 'dir-in/b.nb.md', () => join(ws, 'sub', 'b.nb.md')],
  ['link-in.nb.md', 'link-in.nb.md', () => join(ws, 'a.nb.md')],
  ['notes 100%.nb.md', 'notes 100%.nb.md', () => join(ws, 'notes 100%.nb.md')],
];

for (const [requested, relative, absolute] of accepted) {
  test(`accepts ${JSON.stringify(requested)}`, () => {
    assert.deepEqual(resolveInWorkspace(ws, requested), { relative, absolute: absolute() });
  });
}

const refused: Array<[requested: string, reason: PathErrorReason]> = [
  ['', 'invalid'],
  ['/etc/passwd', 'invalid'],
  ['C:/x.nb.md', 'invalid'],
  ['../outside/secret.nb.md', 'invalid'],
  ['sub/../../outside/secret.nb.md', 'invalid'],
  ['sub/..', 'invalid'],
  ['./a.nb.md', 'invalid'],
  ['sub//b.nb.md', 'invalid'],
  ['sub/', 'invalid'],
  ['%2e%2e/outside/secret.nb.md', 'invalid'],
  ['%2E%2E%2Foutside%2Fsecret.nb.md', 'invalid'],
  ['..%2foutside', 'invalid'],
  ['sub%5c..%5c..%5coutside', 'invalid'],
  ['a.nb.md%00.txt', 'invalid'],
  ['..\\outside\\secret.nb.md', 'invalid'],
  ['sub\\b.nb.md', 'invalid'],
  ['a.nb.md\0', 'invalid'],
  ['link-out.nb.md', 'outside'],
  ['dir-out/secret.nb.md', 'outside'],
  ['dir-out/new.nb.md', 'outside'],
  ['dir-out/deeper/new.nb.md', 'outside'],
  ['dangling.nb.md', 'outside'],
];

for (const [requested, reason] of refused) {
  test(`refuses ${JSON.stringify(requested)} (${reason})`, () => {
    assert.throws(
      () => resolveInWorkspace(ws, requested),
      (error: unknown) => {
        assert.ok(error instanceof PathError);
        assert.equal(error.reason, reason);
        assert.equal(error.path, requested);
        assert.match(error.message, /is refused/);
        return true;
      },
    );
  });
}

test('a workspace reached through a symlink works the same', () => {
  const alias = join(base, 'alias');
  symlinkSync(ws, alias);
  assert.equal(resolveInWorkspace(alias, 'a.nb.md').absolute, join(ws, 'a.nb.md'));
  assert.throws(() => resolveInWorkspace(alias, 'link-out.nb.md'), PathError);
});
