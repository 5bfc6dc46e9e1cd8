/**
 * The pure document side of an editor session (src/server/session-document.ts): each client edit
 * becomes a minimal-diff text change (checked byte for byte) and the engine operation mirroring
 * it, under session ids that never move. The operations are applied to a real engine state with
 * the real analyser, so a wrong attribute or id shows up as a wrong declaration or graph.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCell } from '../../../src/analysis/index.js';
import { applyOperation, createState, type EngineState } from '../../../src/engine/state/index.js';
import { NotebookEditError } from '../../../src/format/errors.js';
import { parseNotebook, serializeNotebook } from '../../../src/format/index.js';
import {
  applyEdit,
  engineCells,
  loadDocument,
  type EditCommand,
  type SessionDocument,
} from '../../../src/server/session-document.js';

const TEXT =
  '---\ntitle: T\n---\n# Intro\n\n' +
  '~~~sql name=orders connection=wh  note="a b"\nselect 1 as n\n~~~\n\n' +
  'Between.\n\n' +
  '```ts\nconst total = orders.rows.length;\n```\n\n' +
  'The end.\n';

const load = (text: string = TEXT): SessionDocument => loadDocument(parseNotebook(text).notebook);
const textOf = (doc: SessionDocument): string => serializeNotebook(doc.notebook);
const engineFor = (doc: SessionDocument): EngineState =>
  createState({ cells: engineCells(doc), analyze: analyzeCell });

/** Applies the edit to the document and its operation to the engine state, as the session does. */
function step(doc: SessionDocument, state: EngineState, command: EditCommand) {
  const result = applyEdit(doc, command);
  let next = state;
  for (const op of [result.op, ...(result.uses?.ops ?? [])]) {
    const applied = applyOperation(next, op);
    assert.equal(applied.error, undefined, `the engine took the operation: ${applied.error}`);
    next = applied.state;
  }
  return { doc: result.document, state: next, op: result.op, uses: result.uses };
}

const edit = (cellId: string, source: string): EditCommand => ({
  type: 'editCell',
  requestId: 'r',
  cellId,
  source,
});
const rename = (cellId: string, name: string | null): EditCommand => ({
  type: 'renameCell',
  requestId: 'r',
  cellId,
  name,
});
const refused = (pattern: RegExp) => (error: unknown) =>
  error instanceof NotebookEditError && pattern.test(error.message);

describe('session ids', () => {
  it('are the parser ids at load', () => {
    assert.deepEqual(load().ids, ['cell-1', 'orders', 'cell-3', 'cell-4', 'cell-5']);
  });
});

describe('editCell', () => {
  it('changes only the cell source bytes and mirrors them to the engine', () => {
    const doc = load();
    const { doc: next, state, op } = step(doc, engineFor(doc), edit('cell-4', 'const total = 2;\ntotal'));
    assert.equal(
      textOf(next),
      TEXT.replace('const total = orders.rows.length;\n', 'const total = 2;\ntotal\n'),
    );
    assert.deepEqual(op, {
      type: 'editCell',
      id: 'cell-4',
      source: 'const total = 2;\ntotal',
      attributes: { echo: true, run: true, extra: {} },
    });
    assert.deepEqual(state.analyses.get('cell-4')?.references, []);
    assert.deepEqual(next.ids, doc.ids);
  });

  it('edits prose with its interpolations', () => {
    const doc = load();
    const { doc: next, op } = step(doc, engineFor(doc), edit('cell-3', '\nRows: ${total}\n\n'));
    assert.equal(textOf(next), TEXT.replace('Between.\n\n', 'Rows: ${total}\n\n'));
    assert.equal(op.type === 'editCell' && op.interpolations?.[0]?.expression, 'total');
  });

  it('refuses text that would open a fence over the cells after it, and an unknown id', () => {
    const doc = load();
    assert.throws(() => applyEdit(doc, edit('cell-3', '```ts\nopen\n')), refused(/change other cells/));
    assert.throws(() => applyEdit(doc, edit('nope', 'x')), refused(/no cell with id "nope"/));
  });
});

describe('insertCell', () => {
  it('gives a fresh id that no later insert or position change reuses', () => {
    const doc = load();
    let state = engineFor(doc);
    let next = doc;
    ({ doc: next, state } = step(next, state, {
      type: 'insertCell',
      requestId: 'r',
      index: 5,
      language: 'ts',
      source: 'const more = total + 1;',
    }));
    assert.equal(textOf(next), TEXT + '```ts\nconst more = total + 1;\n```\n');
    assert.deepEqual(next.ids, [...doc.ids, 'new-6']);
    ({ doc: next, state } = step(next, state, {
      type: 'insertCell',
      requestId: 'r',
      index: 0,
      language: 'js',
      source: 'const first = 1;',
    }));
    assert.deepEqual(
      next.ids,
      ['new-7', ...doc.ids, 'new-6'],
      'the parser would say cell-1: ids do not shift',
    );
    assert.deepEqual(
      state.cells.map((c) => c.id),
      next.ids,
    );
    assert.deepEqual(state.graph.upstream.get('new-6'), ['cell-4']);
  });

  it('uses the name as id; refuses a name another cell has; a renamed cell’s old id is not reused', () => {
    const doc = load();
    const insert = (name: string): EditCommand => ({
      type: 'insertCell',
      requestId: 'r',
      index: 5,
      language: 'sql',
      source: 'select 2',
      name,
    });
    const named = applyEdit(doc, insert('extra'));
    assert.equal(named.document.ids[5], 'extra');
    assert.equal(textOf(named.document), TEXT + '```sql name=extra\nselect 2\n```\n');
    assert.throws(() => applyEdit(doc, insert('orders')), refused(/cell "orders" is already named "orders"/));
    // after a rename the id `orders` is taken but the name is free: the new cell gets a fresh id
    const renamed = applyEdit(doc, rename('orders', 'sales')).document;
    const reused = applyEdit(renamed, insert('orders'));
    assert.equal(reused.document.ids[5], 'new-6');
    assert.equal(reused.op.type === 'insertCell' && reused.op.cell.id, 'new-6');
  });

  it('refuses prose next to prose (the two would merge into one cell)', () => {
    const doc = load();
    assert.throws(
      () =>
        applyEdit(doc, { type: 'insertCell', requestId: 'r', index: 3, language: 'prose', source: 'x\n' }),
      refused(/merge two prose cells/),
    );
  });
});

describe('deleteCell and moveCell', () => {
  it('delete removes exactly the cell bytes; deleting the code between two prose cells is refused', () => {
    const doc = load(TEXT + '\n```js\nconst z = 1;\n```\n');
    const { doc: next, state } = step(doc, engineFor(doc), {
      type: 'deleteCell',
      requestId: 'r',
      cellId: 'cell-6',
    });
    assert.equal(textOf(next), TEXT + '\n');
    assert.deepEqual(next.ids, doc.ids.slice(0, 5));
    assert.equal(state.cells.length, 5);
    assert.throws(
      () => applyEdit(doc, { type: 'deleteCell', requestId: 'r', cellId: 'cell-4' }),
      refused(/merge two prose cells/),
    );
  });

  it('move keeps every cell text and id; a move that joins prose is refused', () => {
    const doc = load(TEXT + '\n```js\nconst z = 1;\n```\n');
    const { doc: next, state } = step(doc, engineFor(doc), {
      type: 'moveCell',
      requestId: 'r',
      cellId: 'cell-6',
      index: 3,
    });
    assert.deepEqual(next.ids, ['cell-1', 'orders', 'cell-3', 'cell-6', 'cell-4', 'cell-5']);
    assert.equal(textOf(next), TEXT.replace('Between.\n\n', 'Between.\n\n```js\nconst z = 1;\n```\n') + '\n');
    assert.deepEqual(
      state.cells.map((c) => c.id),
      next.ids,
    );
    assert.throws(
      () => applyEdit(doc, { type: 'moveCell', requestId: 'r', cellId: 'cell-4', index: 5 }),
      refused(/merge two prose cells/),
    );
  });
});

describe('renameCell', () => {
  // The format writes the info string's attributes one space apart: that line is all that changes.
  it('changes the fence info line and the readers of the old name; every other byte stays', () => {
    const doc = load();
    const { doc: next, state, op, uses } = step(doc, engineFor(doc), rename('orders', 'sales'));
    assert.equal(
      textOf(next),
      TEXT.replace(
        '~~~sql name=orders connection=wh  note="a b"',
        '~~~sql name=sales connection=wh note="a b"',
      ).replace('orders.rows.length', 'sales.rows.length'),
    );
    assert.deepEqual(uses?.rewritten, ['cell-4']);
    assert.deepEqual(uses?.unsafe, []);
    assert.deepEqual(next.ids, doc.ids, 'the cell keeps its session id');
    assert.equal(op.type, 'editCell');
    assert.equal(op.type === 'editCell' && op.attributes?.name, 'sales');
    assert.equal(op.type === 'editCell' && op.attributes?.connection, 'wh');
    // the engine sees the SQL cell declare its new name, and the rewritten reader still read it
    assert.deepEqual(state.analyses.get('orders')?.declarations, ['sales']);
    assert.deepEqual(state.graph.upstream.get('cell-4'), ['orders']);
    assert.equal(state.runtime.get('orders')?.status, 'stale');
    assert.equal(state.runtime.get('cell-4')?.status, 'stale');
  });

  it('leaves readers alone when a name is added or removed, and lists a reader it cannot rewrite', () => {
    // removing the name: its readers report it missing when they run, as with text on disk
    assert.equal(applyEdit(load(), rename('orders', null)).uses, undefined);
    // a reader whose text does not parse is left as it is, and said so
    const broken = TEXT.replace('const total = orders.rows.length;', 'const total = orders.rows.length +;');
    const result = applyEdit(load(broken), rename('orders', 'sales'));
    assert.deepEqual(result.uses?.rewritten, []);
    assert.equal(result.uses?.unsafe[0]?.cellId, 'cell-4');
    assert.match(textOf(result.document), /orders\.rows\.length \+;/);
  });

  it('adds a name to an unnamed cell and removes one with null', () => {
    const doc = load();
    const named = applyEdit(doc, rename('cell-4', 'summary'));
    assert.equal(
      textOf(named.document),
      TEXT.replace('```ts\nconst total', '```ts name=summary\nconst total'),
    );
    assert.deepEqual(named.document.ids, doc.ids);
    const unnamed = applyEdit(doc, rename('orders', null));
    assert.equal(
      textOf(unnamed.document),
      TEXT.replace('~~~sql name=orders connection=wh  note', '~~~sql connection=wh note'),
    );
    assert.equal(unnamed.op.type === 'editCell' && unnamed.op.attributes?.name, undefined);
  });

  it('keeps CRLF line endings and every other byte', () => {
    const crlf = TEXT.replace(/\n/g, '\r\n');
    const next = applyEdit(load(crlf), rename('orders', 'sales')).document;
    assert.equal(
      textOf(next),
      crlf
        .replace('name=orders connection=wh  note', 'name=sales connection=wh note')
        .replace('orders.rows', 'sales.rows'),
    );
  });

  it('refuses a prose cell and an unknown id, naming the cell', () => {
    const doc = load();
    assert.throws(() => applyEdit(doc, rename('cell-3', 'x')), refused(/cell "cell-3" is prose/));
    assert.throws(() => applyEdit(doc, rename('ghost', 'x')), refused(/no cell with id "ghost"/));
  });

  it('refuses a name another cell has; a name another cell declares is the engine’s to report', () => {
    const doc = load();
    assert.throws(
      () => applyEdit(doc, rename('cell-4', 'orders')),
      refused(/cell "orders" is already named/),
    );
    assert.equal(
      applyEdit(doc, rename('orders', 'orders')).document.ids[1],
      'orders',
      'its own name is fine',
    );
    const { state } = step(doc, engineFor(doc), rename('orders', 'total'));
    assert.match(state.graph.errors.get('orders')?.[0]?.message ?? '', /total/);
    assert.match(state.graph.errors.get('cell-4')?.[0]?.message ?? '', /total/);
  });
});

describe('a file where two cells share a name', () => {
  // The parser gives both the id `x`; the session must still address each one alone.
  const DUP = '```sql name=x\nselect 1\n```\n\n```sql name=x\nselect 2\n```\n';

  it('gets unique session ids, and the engine reports the duplicate on both', () => {
    const doc = load(DUP);
    assert.deepEqual(doc.ids, ['x', 'cell-2', 'cell-3']);
    const state = engineFor(doc);
    assert.ok(state.graph.errors.get('x')?.length);
    assert.ok(state.graph.errors.get('cell-3')?.length);
  });

  it('edits, renames and deletes the cell asked for, not the first with that id', () => {
    const doc = load(DUP);
    let state = engineFor(doc);
    let next = doc;
    ({ doc: next, state } = step(next, state, edit('cell-3', 'select 3')));
    assert.equal(textOf(next), DUP.replace('select 2', 'select 3'));
    ({ doc: next, state } = step(next, state, rename('cell-3', 'y')));
    assert.equal(textOf(next), DUP.replace('select 2', 'select 3').replace('x\nselect 3', 'y\nselect 3'));
    assert.equal(state.graph.errors.size, 0, 'no duplicate any more');
    ({ doc: next } = step(next, state, { type: 'deleteCell', requestId: 'r', cellId: 'x' }));
    assert.deepEqual(next.ids, ['cell-2', 'cell-3']);
    assert.equal(textOf(next), '\n```sql name=y\nselect 3\n```\n');
  });
});
