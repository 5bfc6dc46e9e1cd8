/** WorkspaceFiles on a real folder: list and search, read, save with versions, conflicts, watching. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PathError } from '../../../src/server/paths.js';
import { NotFoundError, WorkspaceFiles, type NotebookChange } from '../../../src/server/workspace-files.js';
import { BROKEN, makeWorkspace, notebook, removeWorkspace, waitFor } from './helpers.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function fixture(): string {
  return makeWorkspace({
    'orders.nb.md': notebook('Orders by region', ['sales', 'weekly']),
    'reports/churn.nb.md': notebook('Churn', ['retention']),
    'reports/broken.nb.md': BROKEN,
    'untitled.nb.md': '# no front matter\n',
    'readme.md': '# not a notebook',
    'node_modules/pkg/x.nb.md': notebook('Hidden dep'),
    '.git/y.nb.md': notebook('Hidden git'),
    '.quire/z.nb.md': notebook('Hidden state'),
    '.drafts/w.nb.md': notebook('Hidden dot-folder'),
  });
}

test('list finds the notebooks, with title, tags, size, mtime and parse errors', async () => {
  const ws = fixture();
  try {
    const entries = await new WorkspaceFiles(ws).list();
    assert.deepEqual(
      entries.map((e) => e.path),
      ['orders.nb.md', 'reports/broken.nb.md', 'reports/churn.nb.md', 'untitled.nb.md'],
    );
    const orders = entries[0]!;
    assert.equal(orders.title, 'Orders by region');
    assert.deepEqual(orders.tags, ['sales', 'weekly']);
    assert.equal(orders.size, statSync(join(ws, 'orders.nb.md')).size);
    assert.equal(orders.mtime, statSync(join(ws, 'orders.nb.md')).mtimeMs);
    assert.equal(orders.version, sha(readFileSync(join(ws, 'orders.nb.md'), 'utf8')));
    assert.equal(orders.parseError, undefined);
    const broken = entries[1]!;
    assert.equal(broken.title, 'broken');
    assert.deepEqual(
      { line: broken.parseError?.line, column: broken.parseError?.column },
      { line: 3, column: 1 },
    );
    assert.equal(entries[3]!.title, 'untitled', 'without a front-matter title, the file name');
  } finally {
    removeWorkspace(ws);
  }
});

test('search is a case-insensitive substring over title, path and tags; terms must all match', async () => {
  const ws = fixture();
  try {
    const files = new WorkspaceFiles(ws);
    const paths = async (q: string): Promise<string[]> => (await files.list(q)).map((e) => e.path);
    assert.deepEqual(await paths('REGION'), ['orders.nb.md'], 'title');
    assert.deepEqual(await paths('reports/'), ['reports/broken.nb.md', 'reports/churn.nb.md'], 'path');
    assert.deepEqual(await paths('Retent'), ['reports/churn.nb.md'], 'tag');
    assert.deepEqual(await paths('sales orders'), ['orders.nb.md'], 'every term');
    assert.deepEqual(await paths('sales churn'), []);
    assert.equal((await paths('   ')).length, 4, 'a blank query lists everything');
  } finally {
    removeWorkspace(ws);
  }
});

test('read returns the text and the sha256 of its bytes; missing and non-notebook paths are refused', async () => {
  const ws = fixture();
  try {
    const files = new WorkspaceFiles(ws);
    const text = readFileSync(join(ws, 'orders.nb.md'), 'utf8');
    assert.deepEqual(await files.read('orders.nb.md'), { text, version: sha(text) });
    await assert.rejects(files.read('nope.nb.md'), NotFoundError);
    await assert.rejects(files.read('readme.md'), PathError);
    await assert.rejects(files.read('.git/y.nb.md'), PathError);
    await assert.rejects(files.read('node_modules/pkg/x.nb.md'), PathError);
    await assert.rejects(files.read('../orders.nb.md'), PathError);
  } finally {
    removeWorkspace(ws);
  }
});

test('save writes when the base version is current, and refuses a stale one without writing', async () => {
  const ws = fixture();
  try {
    const files = new WorkspaceFiles(ws);
    const { version } = await files.read('orders.nb.md');
    const saved = await files.save('orders.nb.md', 'edited\n', version);
    assert.deepEqual(saved, { ok: true, version: sha('edited\n') });
    assert.equal(readFileSync(join(ws, 'orders.nb.md'), 'utf8'), 'edited\n');

    // A second tab still holds the first version: its save must not overwrite the edit.
    const stale = await files.save('orders.nb.md', 'older tab\n', version);
    assert.deepEqual(stale, { ok: false, conflict: true, currentVersion: sha('edited\n') });
    assert.equal(readFileSync(join(ws, 'orders.nb.md'), 'utf8'), 'edited\n');

    // Someone else writes the file: the editor's version is now stale too.
    writeFileSync(join(ws, 'orders.nb.md'), 'from git pull\n');
    const afterPull = await files.save('orders.nb.md', 'mine\n', sha('edited\n'));
    assert.deepEqual(afterPull, { ok: false, conflict: true, currentVersion: sha('from git pull\n') });
    assert.equal(readFileSync(join(ws, 'orders.nb.md'), 'utf8'), 'from git pull\n');
    assert.deepEqual(
      readdirSync(ws).filter((n) => n.includes('.tmp-')),
      [],
      'no temp file is left behind',
    );
  } finally {
    removeWorkspace(ws);
  }
});

test('concurrent saves on one base version: exactly one wins', async () => {
  const ws = fixture();
  try {
    const files = new WorkspaceFiles(ws);
    const { version } = await files.read('orders.nb.md');
    const results = await Promise.all(
      ['one\n', 'two\n', 'three\n'].map((t) => files.save('orders.nb.md', t, version)),
    );
    assert.equal(results.filter((r) => r.ok).length, 1);
    const winner = results.findIndex((r) => r.ok);
    assert.equal(readFileSync(join(ws, 'orders.nb.md'), 'utf8'), ['one\n', 'two\n', 'three\n'][winner]);
  } finally {
    removeWorkspace(ws);
  }
});

test('a new notebook needs baseVersion null and no existing file; its folder must exist', async () => {
  const ws = fixture();
  try {
    const files = new WorkspaceFiles(ws);
    assert.deepEqual(await files.save('reports/new.nb.md', 'new\n', null), {
      ok: true,
      version: sha('new\n'),
    });
    assert.equal(readFileSync(join(ws, 'reports/new.nb.md'), 'utf8'), 'new\n');
    const again = await files.save('reports/new.nb.md', 'again\n', null);
    assert.deepEqual(again, { ok: false, conflict: true, currentVersion: sha('new\n') });
    const deleted = await files.save('gone.nb.md', 'x', sha('whatever'));
    assert.deepEqual(deleted, { ok: false, conflict: true, currentVersion: null });
    assert.equal(existsSync(join(ws, 'gone.nb.md')), false);
    await assert.rejects(files.save('no-such-dir/new.nb.md', 'x', null), NotFoundError);
    await assert.rejects(files.save('notes.txt', 'x', null), PathError);
  } finally {
    removeWorkspace(ws);
  }
});

test('save keeps the file mode', async () => {
  const ws = makeWorkspace({ 'a.nb.md': 'a' });
  try {
    chmodSync(join(ws, 'a.nb.md'), 0o600);
    const files = new WorkspaceFiles(ws);
    await files.save('a.nb.md', 'b', sha('a'));
    assert.equal(statSync(join(ws, 'a.nb.md')).mode & 0o777, 0o600);
  } finally {
    removeWorkspace(ws);
  }
});

test('watch reports external writes, additions and deletions, but not our own saves', async () => {
  const ws = fixture();
  const changes: NotebookChange[] = [];
  const files = new WorkspaceFiles(ws);
  const stop = files.watch((change) => changes.push(change), { intervalMs: 30 });
  // An external write to marker.nb.md, once reported, shows that every scan since the earlier
  // writes has been made: what was not reported by then is not reported.
  let markers = 0;
  const marker = async (): Promise<NotebookChange> => {
    const text = `marker ${++markers}\n`;
    writeFileSync(join(ws, 'marker.nb.md'), text);
    await waitFor(() => changes.some((c) => c.path === 'marker.nb.md' && c.version === sha(text)));
    return { path: 'marker.nb.md', kind: 'changed', version: sha(text) };
  };
  try {
    // The first scan sets the baseline, without reporting: a marker rewritten until it is
    // reported (added, or changed when the baseline has it) shows there is one.
    await waitFor(() => {
      writeFileSync(join(ws, 'marker.nb.md'), `marker 0.${markers++}\n`);
      return changes.length > 0;
    });
    await marker(); // reported after the rewrites above: no report of them is still to come
    changes.length = 0;
    const { version } = await files.read('orders.nb.md');
    await files.save('orders.nb.md', 'our edit\n', version);
    await files.save('reports/ours.nb.md', 'our new notebook\n', null);
    let seen = await marker();
    assert.deepEqual(changes.splice(0), [seen], 'our own saves are not external changes');

    writeFileSync(join(ws, 'orders.nb.md'), 'their edit\n');
    await waitFor(() => changes.length >= 1);
    assert.deepEqual(changes.shift(), {
      path: 'orders.nb.md',
      kind: 'changed',
      version: sha('their edit\n'),
    });

    mkdirSync(join(ws, 'later'));
    writeFileSync(join(ws, 'later/pulled.nb.md'), 'pulled\n');
    await waitFor(() => changes.length >= 1);
    assert.deepEqual(changes.shift(), {
      path: 'later/pulled.nb.md',
      kind: 'added',
      version: sha('pulled\n'),
    });

    rmSync(join(ws, 'reports/churn.nb.md'));
    await waitFor(() => changes.length >= 1);
    assert.deepEqual(changes.shift(), { path: 'reports/churn.nb.md', kind: 'deleted', version: null });

    writeFileSync(join(ws, '.git/y.nb.md'), 'ignored');
    const now = new Date();
    utimesSync(join(ws, 'untitled.nb.md'), now, now); // a touch is not a change
    seen = await marker();
    assert.deepEqual(changes.splice(0), [seen]);
  } finally {
    stop();
    removeWorkspace(ws);
  }
});
