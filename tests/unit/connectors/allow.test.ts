// What the kernel's DuckDB may open when the workspace has hidden paths: real folders on disk.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { allowList } from '../../../src/connectors/kernel/allow-list.js';

const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'quire-allow-')));
after(() => fs.rmSync(base, { recursive: true, force: true }));

function workspace(name: string): { ws: string; scratch: string } {
  const ws = path.join(base, name);
  const scratch = path.join(base, `${name}-scratch`);
  for (const dir of ['data', '.quire/blobs', '.git', 'sub/deep/.git', 'sub/other'])
    fs.mkdirSync(path.join(ws, dir), { recursive: true });
  fs.mkdirSync(scratch);
  fs.writeFileSync(path.join(ws, 'notes.csv'), 'a\n1\n');
  fs.writeFileSync(path.join(ws, 'sub/deep/x.csv'), 'a\n1\n');
  return { ws, scratch };
}

test('without hidden paths the whole workspace is one prefix', async () => {
  const { ws, scratch } = workspace('plain');
  assert.deepEqual(await allowList(ws, scratch), { directories: [`${scratch}/`, `${ws}/`], files: [] });
});

test('hidden paths are left out, at the root and deeper down', async () => {
  const { ws, scratch } = workspace('hidden');
  const list = await allowList(ws, scratch, {
    hidden: [path.join(ws, '.quire'), path.join(ws, '.git'), path.join(ws, 'sub/deep/.git')],
  });
  assert.deepEqual(list.directories, [`${scratch}/`, `${ws}/data/`, `${ws}/sub/other/`]);
  assert.deepEqual(list.files, [`${ws}/notes.csv`, `${ws}/sub/deep/x.csv`]);
});

test('symlinks into a hidden path, to a folder holding one, or out of the workspace are left out', async () => {
  const { ws, scratch } = workspace('links');
  fs.symlinkSync(path.join(ws, '.quire'), path.join(ws, 'store'));
  fs.symlinkSync(path.join(ws, '.quire/blobs'), path.join(ws, 'blobs'));
  fs.symlinkSync(ws, path.join(ws, 'root'));
  fs.symlinkSync('/etc', path.join(ws, 'etc'));
  fs.symlinkSync(path.join(ws, 'missing'), path.join(ws, 'broken'));
  fs.symlinkSync(path.join(ws, 'data'), path.join(ws, 'data-link'));
  const list = await allowList(ws, scratch, { hidden: [path.join(ws, '.quire'), path.join(ws, '.git')] });
  assert.deepEqual(list.directories, [`${scratch}/`, `${ws}/data/`, `${ws}/sub/`]);
  assert.deepEqual(list.files, [`${ws}/notes.csv`]);
});

test('a shown path inside a hidden folder is allowed again, and a hidden one inside that is not', async () => {
  const { ws, scratch } = workspace('shown');
  fs.mkdirSync(path.join(ws, 'team/open/private'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'team/a.csv'), 'a\n1\n');
  fs.writeFileSync(path.join(ws, 'team/shared.nb.md'), '# shared\n');
  fs.writeFileSync(path.join(ws, 'team/open/b.csv'), 'a\n1\n');
  fs.symlinkSync(path.join(ws, 'team/a.csv'), path.join(ws, 'data/a-link.csv'));
  const list = await allowList(ws, scratch, {
    hidden: [path.join(ws, '.quire'), path.join(ws, 'team'), path.join(ws, 'team/open/private')],
    shown: [path.join(ws, 'team/shared.nb.md'), path.join(ws, 'team/open')],
  });
  assert.deepEqual(list.directories, [`${scratch}/`, `${ws}/.git/`, `${ws}/data/`, `${ws}/sub/`]);
  assert.deepEqual(list.files, [`${ws}/notes.csv`, `${ws}/team/open/b.csv`, `${ws}/team/shared.nb.md`]);
});

test('the whole workspace hidden: only the shown paths and the scratch folder', async () => {
  const { ws, scratch } = workspace('all-hidden');
  assert.deepEqual(await allowList(ws, scratch, { hidden: [ws] }), {
    directories: [`${scratch}/`],
    files: [],
  });
  assert.deepEqual(await allowList(ws, scratch, { hidden: [ws], shown: [path.join(ws, 'sub/deep')] }), {
    directories: [`${scratch}/`, `${ws}/sub/deep/`],
    files: [],
  });
});
