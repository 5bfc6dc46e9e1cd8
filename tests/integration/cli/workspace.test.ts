/**
 * Which folder is a notebook's workspace under `quire run`: a stray `.quire/` above it (left by a
 * run once started there) must not widen what its cells read, nor move its runs to that store.
 * A real marker (`quire.config.json`) above it does make that folder the workspace.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeWorkspace as makeFolder, removeWorkspace } from '../kernel/helpers.js';
import { cell, runCli } from './helpers.js';

const READS_PARENT = [
  '```ts name=outside',
  "import { readFile } from 'node:fs/promises';",
  "const outside = await readFile('../secret.txt', 'utf8').then((text) => text.trim(), (error) => error.code);",
  'outside',
  '```',
  '',
].join('\n');

const folders: string[] = [];
after(() => folders.forEach(removeWorkspace));

/** A folder with no project marker of its own (mkdtemp under the temp folder). */
function parentWith(files: Record<string, string>): string {
  const dir = makeFolder({ 'secret.txt': 'parent data\n', 'proj/n.nb.md': READS_PARENT, ...files });
  folders.push(dir);
  return dir;
}

describe('quire run: the workspace', () => {
  test('a stray .quire/ in a parent folder neither widens the workspace nor takes the runs', async () => {
    const parent = parentWith({});
    mkdirSync(join(parent, '.quire'), { mode: 0o755 });
    const r = await runCli(['run', join('proj', 'n.nb.md'), '--json'], { cwd: parent });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      cell(r.record, 'outside').outputs[0]?.data,
      'ERR_ACCESS_DENIED',
      'the parent stays out of reach',
    );
    assert.ok(existsSync(join(parent, 'proj', '.quire', 'quire.db')), 'the run is filed in its own folder');
    assert.ok(!existsSync(join(parent, '.quire', 'quire.db')), 'not in the stray store');
  });

  test('a quire.config.json in a parent folder makes it the workspace', async () => {
    const parent = parentWith({ 'quire.config.json': '{}\n' });
    const r = await runCli(['run', join('proj', 'n.nb.md'), '--json'], { cwd: parent });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(cell(r.record, 'outside').outputs[0]?.data, 'parent data');
    assert.ok(existsSync(join(parent, '.quire', 'quire.db')));
  });
});
