/**
 * The notebook document (src/engine/document/): each edit becomes a minimal-diff text change
 * (checked byte for byte) and the reactive state's view of it, under document ids that never
 * move; run requests, kernel reports and params go through the same `applyOperation`. The real
 * analyser runs, so a wrong attribute or id shows up as a wrong declaration or graph.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCell } from '../../../src/analysis/index.js';
import {
  applyOperation,
  loadDocument,
  type NotebookDocument,
  type Operation,
  type OperationResult,
} from '../../../src/engine/document/index.js';
import { cellOf } from '../../../src/engine/state/index.js';
import { parseNotebook, serializeNotebook } from '../../../src/format/index.js';
import type { Cell } from '../../../src/format/types.js';

const TEXT =
  '---\ntitle: T\n---\n# Intro\n\n' +
  '~~~sql name=orders connection=wh  note="a b"\nselect 1 as n\n~~~\n\n' +
  'Between.\n\n' +
  '```ts\nconst total = orders.rows.length;\n```\n\n' +
  'The end.\n';

const load = (text: string = TEXT): NotebookDocument =>
  loadDocument(parseNotebook(text).notebook, { analyze: analyzeCell });
const textOf = (doc: NotebookDocument): string => serializeNotebook(doc.notebook);
const idsOf = (doc: NotebookDocument): string[] => doc.notebook.cells.map((c) => c.id);
const cell = (doc: NotebookDocument, id: string): Cell => {
  const found = cellOf(doc.state, id);
  assert.ok(found, `cell ${id} is in the state`);
  return found;
};

/** Applies an operation that must be taken; the state's cells are always the notebook's. */
function apply(doc: NotebookDocument, op: Operation): OperationResult {
  const result = applyOperation(doc, op);
  assert.equal(result.error, undefined, `${op.type} was refused: ${result.error}`);
  assert.equal(result.doc.state.cells, result.doc.notebook.cells, 'one array of cells');
  return result;
}

/** An operation that must be refused: the same document back, nothing to carry out. */
function refuses(doc: NotebookDocument, op: Operation, pattern: RegExp): void {
  const result = applyOperation(doc, op);
  assert.match(result.error ?? '(taken)', pattern);
  assert.equal(result.doc, doc);
  assert.deepEqual(result.effects, []);
}

const edit = (id: string, source: string): Operation => ({ type: 'editCell', id, source });
const rename = (id: string, name: string | null): Operation => ({ type: 'renameCell', id, name });

describe('document ids', () => {
  it('are the parser ids at load, and the state knows the cells by them', () => {
    const doc = load();
    assert.deepEqual(idsOf(doc), ['cell-1', 'orders', 'cell-3', 'cell-4', 'cell-5']);
    assert.equal(doc.state.cells, doc.notebook.cells);
    assert.equal(textOf(doc), TEXT, 'loading changes no byte');
  });
});

describe('editCell', () => {
  it('changes only the cell source bytes, and the state re-analyses that cell', () => {
    const doc = load();
    const { doc: next, effects } = apply(doc, edit('cell-4', 'const total = 2;\ntotal'));
    assert.equal(
      textOf(next),
      TEXT.replace('const total = orders.rows.length;\n', 'const total = 2;\ntotal\n'),
    );
    const edited = cell(next, 'cell-4');
    assert.equal(edited.source, 'const total = 2;\ntotal');
    assert.deepEqual(edited.kind === 'code' && edited.attributes, { echo: true, run: true, extra: {} });
    assert.deepEqual(next.state.analyses.get('cell-4')?.references, []);
    assert.deepEqual(idsOf(next), idsOf(doc));
    assert.deepEqual(
      effects,
      [{ type: 'notify', notification: { type: 'cellStatus', cellId: 'cell-4', status: 'stale' } }],
      'nothing runs: an edit makes the cell stale, a run request runs it',
    );
  });

  it('edits prose with its interpolations', () => {
    const { doc: next } = apply(load(), edit('cell-3', '\nRows: ${total}\n\n'));
    assert.equal(textOf(next), TEXT.replace('Between.\n\n', 'Rows: ${total}\n\n'));
    const prose = cell(next, 'cell-3');
    assert.equal(prose.kind === 'prose' && prose.interpolations[0]?.expression, 'total');
    assert.deepEqual(next.state.graph.upstream.get('cell-3'), ['cell-4']);
  });

  it('refuses text that would open a fence over the cells after it, and an unknown id', () => {
    const doc = load();
    refuses(doc, edit('cell-3', '```ts\nopen\n'), /change other cells/);
    refuses(doc, edit('nope', 'x'), /no cell with id "nope"/);
  });
});

describe('insertCell', () => {
  it('gives a fresh id that no later insert or position change reuses', () => {
    const doc = load();
    let next = apply(doc, {
      type: 'insertCell',
      index: 5,
      language: 'ts',
      source: 'const more = total + 1;',
    });
    assert.equal(next.cellId, 'new-6');
    assert.equal(textOf(next.doc), TEXT + '```ts\nconst more = total + 1;\n```\n');
    assert.deepEqual(idsOf(next.doc), [...idsOf(doc), 'new-6']);
    next = apply(next.doc, { type: 'insertCell', index: 0, language: 'js', source: 'const first = 1;' });
    assert.deepEqual(
      idsOf(next.doc),
      ['new-7', ...idsOf(doc), 'new-6'],
      'the parser would say cell-1: ids do not shift',
    );
    assert.deepEqual(next.doc.state.graph.upstream.get('new-6'), ['cell-4']);
  });

  it('keeps the cells it moved down current: their lines are where the new text has them', () => {
    const doc = load();
    const before = cell(doc, 'cell-4').line;
    const { doc: next } = apply(doc, {
      type: 'insertCell',
      index: 1,
      language: 'ts',
      source: 'const a = 1;',
    });
    assert.equal(cell(next, 'cell-4').line, before + 3, 'three lines of fence and code above it');
    assert.equal(
      textOf(next).split('\n')[cell(next, 'cell-4').line - 1],
      '```ts',
      'the line names the fence of that cell',
    );
  });

  it('uses the name as id; refuses a name another cell has; a renamed cell’s old id is not reused', () => {
    const doc = load();
    const insert = (name: string): Operation => ({
      type: 'insertCell',
      index: 5,
      language: 'sql',
      source: 'select 2',
      name,
    });
    const named = apply(doc, insert('extra'));
    assert.equal(idsOf(named.doc)[5], 'extra');
    assert.equal(textOf(named.doc), TEXT + '```sql name=extra\nselect 2\n```\n');
    refuses(doc, insert('orders'), /cell "orders" is already named "orders"/);
    // after a rename the id `orders` is taken but the name is free: the new cell gets a fresh id
    const renamed = apply(doc, rename('orders', 'sales')).doc;
    const reused = apply(renamed, insert('orders'));
    assert.equal(idsOf(reused.doc)[5], 'new-6');
    assert.equal(reused.cellId, 'new-6');
  });

  it('refuses prose next to prose (the two would merge into one cell)', () => {
    refuses(
      load(),
      { type: 'insertCell', index: 3, language: 'prose', source: 'x\n' },
      /merge two prose cells/,
    );
  });
});

describe('deleteCell and moveCell', () => {
  it('delete removes exactly the cell bytes and its names; deleting the code between two prose cells is refused', () => {
    const doc = load(TEXT + '\n```js\nconst z = 1;\n```\n');
    const { doc: next, effects } = apply(doc, { type: 'deleteCell', id: 'cell-6' });
    assert.equal(textOf(next), TEXT + '\n');
    assert.deepEqual(idsOf(next), idsOf(doc).slice(0, 5));
    assert.deepEqual(effects, [
      { type: 'deleteNames', names: ['z'] },
      { type: 'forgetCell', cellId: 'cell-6' },
    ]);
    refuses(doc, { type: 'deleteCell', id: 'cell-4' }, /merge two prose cells/);
  });

  it('move keeps every cell text and id; a move that joins prose is refused', () => {
    const doc = load(TEXT + '\n```js\nconst z = 1;\n```\n');
    const { doc: next } = apply(doc, { type: 'moveCell', id: 'cell-6', index: 3 });
    assert.deepEqual(idsOf(next), ['cell-1', 'orders', 'cell-3', 'cell-6', 'cell-4', 'cell-5']);
    assert.equal(textOf(next), TEXT.replace('Between.\n\n', 'Between.\n\n```js\nconst z = 1;\n```\n') + '\n');
    refuses(doc, { type: 'moveCell', id: 'cell-4', index: 5 }, /merge two prose cells/);
  });
});

describe('renameCell', () => {
  // The format writes the info string's attributes one space apart: that line is all that changes.
  it('changes the fence info line and the readers of the old name; every other byte stays', () => {
    const doc = load();
    const { doc: next, renamed } = apply(doc, rename('orders', 'sales'));
    assert.equal(
      textOf(next),
      TEXT.replace(
        '~~~sql name=orders connection=wh  note="a b"',
        '~~~sql name=sales connection=wh note="a b"',
      ).replace('orders.rows.length', 'sales.rows.length'),
    );
    assert.deepEqual(renamed?.rewritten, ['cell-4']);
    assert.deepEqual(renamed?.unsafe, []);
    assert.deepEqual(idsOf(next), idsOf(doc), 'the cell keeps its document id');
    const sql = cell(next, 'orders');
    assert.equal(sql.kind === 'code' && sql.attributes.name, 'sales');
    assert.equal(sql.kind === 'code' && sql.attributes.connection, 'wh');
    // the SQL cell declares its new name, and the rewritten reader still reads it
    assert.deepEqual(next.state.analyses.get('orders')?.declarations, ['sales']);
    assert.deepEqual(next.state.graph.upstream.get('cell-4'), ['orders']);
  });

  it('makes the renamed cell and its readers stale once they ran', () => {
    let doc = apply(load(), { type: 'runAll' }).doc;
    for (const id of ['orders', 'cell-4']) {
      doc = apply(doc, { type: 'cellStarted', id }).doc;
      doc = apply(doc, { type: 'cellFinished', id, status: 'ok' }).doc;
    }
    const { doc: next } = apply(doc, rename('orders', 'sales'));
    assert.equal(next.state.runtime.get('orders')?.status, 'stale');
    assert.equal(next.state.runtime.get('cell-4')?.status, 'stale');
  });

  it('leaves readers alone when a name is added or removed, and lists a reader it cannot rewrite', () => {
    // removing the name: its readers report it missing when they run, as with text on disk
    assert.equal(apply(load(), rename('orders', null)).renamed, undefined);
    // a reader whose text does not parse is left as it is, and said so
    const broken = TEXT.replace('const total = orders.rows.length;', 'const total = orders.rows.length +;');
    const result = apply(load(broken), rename('orders', 'sales'));
    assert.deepEqual(result.renamed?.rewritten, []);
    assert.equal(result.renamed?.unsafe[0]?.cellId, 'cell-4');
    assert.match(textOf(result.doc), /orders\.rows\.length \+;/);
  });

  it('adds a name to an unnamed cell and removes one with null', () => {
    const doc = load();
    const named = apply(doc, rename('cell-4', 'summary'));
    assert.equal(textOf(named.doc), TEXT.replace('```ts\nconst total', '```ts name=summary\nconst total'));
    assert.deepEqual(idsOf(named.doc), idsOf(doc));
    const unnamed = apply(doc, rename('orders', null));
    assert.equal(
      textOf(unnamed.doc),
      TEXT.replace('~~~sql name=orders connection=wh  note', '~~~sql connection=wh note'),
    );
    const sql = cell(unnamed.doc, 'orders');
    assert.equal(sql.kind === 'code' && sql.attributes.name, undefined);
  });

  it('keeps CRLF line endings and every other byte', () => {
    const crlf = TEXT.replace(/\n/g, '\r\n');
    const next = apply(load(crlf), rename('orders', 'sales')).doc;
    assert.equal(
      textOf(next),
      crlf
        .replace('name=orders connection=wh  note', 'name=sales connection=wh note')
        .replace('orders.rows', 'sales.rows'),
    );
  });

  it('refuses a prose cell and an unknown id, naming the cell', () => {
    const doc = load();
    refuses(doc, rename('cell-3', 'x'), /cell "cell-3" is prose/);
    refuses(doc, rename('ghost', 'x'), /no cell with id "ghost"/);
  });

  it('refuses a name another cell has; a name another cell declares is the engine’s to report', () => {
    const doc = load();
    refuses(doc, rename('cell-4', 'orders'), /cell "orders" is already named/);
    assert.equal(idsOf(apply(doc, rename('orders', 'orders')).doc)[1], 'orders', 'its own name is fine');
    const { state } = apply(doc, rename('orders', 'total')).doc;
    assert.match(state.graph.errors.get('orders')?.[0]?.message ?? '', /total/);
    assert.match(state.graph.errors.get('cell-4')?.[0]?.message ?? '', /total/);
  });
});

describe('a file where two cells share a name', () => {
  // The parser gives both the id `x`; the document must still address each one alone.
  const DUP = '```sql name=x\nselect 1\n```\n\n```sql name=x\nselect 2\n```\n';

  it('gets unique document ids, and the engine reports the duplicate on both', () => {
    const doc = load(DUP);
    assert.deepEqual(idsOf(doc), ['x', 'cell-2', 'cell-3']);
    assert.ok(doc.state.graph.errors.get('x')?.length);
    assert.ok(doc.state.graph.errors.get('cell-3')?.length);
    assert.equal(doc.state.runtime.size, 3, 'each cell has its own run-time state');
  });

  it('edits, renames and deletes the cell asked for, not the first with that id', () => {
    let doc = apply(load(DUP), edit('cell-3', 'select 3')).doc;
    assert.equal(textOf(doc), DUP.replace('select 2', 'select 3'));
    doc = apply(doc, rename('cell-3', 'y')).doc;
    assert.equal(textOf(doc), DUP.replace('select 2', 'select 3').replace('x\nselect 3', 'y\nselect 3'));
    assert.equal(doc.state.graph.errors.size, 0, 'no duplicate any more');
    doc = apply(doc, { type: 'deleteCell', id: 'x' }).doc;
    assert.deepEqual(idsOf(doc), ['cell-2', 'cell-3']);
    assert.equal(textOf(doc), '\n```sql name=y\nselect 3\n```\n');
  });
});

describe('params', () => {
  const PARAMS =
    '---\nparams:\n  region: { type: string, default: EU, enum: [EU, US] }\n  n: 3\n---\n```ts\nconst k = n * 2;\n```\n';
  const withDefaults = () =>
    loadDocument(parseNotebook(PARAMS).notebook, { params: { region: 'EU', n: 3 }, analyze: analyzeCell });

  it('takes values of the declared types and tells the kernel the changed ones', () => {
    const { doc, effects } = apply(withDefaults(), { type: 'setParams', values: { n: 4, region: 'EU' } });
    assert.deepEqual(doc.state.params, { region: 'EU', n: 4 });
    assert.deepEqual(effects, [
      { type: 'defineParams', values: { n: 4 } },
      { type: 'notify', notification: { type: 'cellStatus', cellId: 'cell-1', status: 'stale' } },
    ]);
  });

  it('refuses an unknown param and a value of the wrong type, naming the param', () => {
    const doc = withDefaults();
    refuses(doc, { type: 'setParams', values: { nope: 1 } }, /unknown param "nope"/);
    refuses(doc, { type: 'setParams', values: { n: 'many' } }, /n/);
    refuses(doc, { type: 'setParams', values: { region: 'MARS' } }, /region/);
  });
});

describe('run requests and kernel reports', () => {
  it('go to the reactive state unchanged, leaving the text as it is', () => {
    const doc = load();
    const { doc: next, effects } = apply(doc, { type: 'runCell', id: 'orders' });
    assert.equal(next.notebook, doc.notebook);
    assert.deepEqual(
      effects.filter((e) => e.type === 'execute'),
      [{ type: 'execute', cellId: 'orders' }],
    );
    assert.equal(next.state.running, 'orders');
  });

  it('refuse an unknown cell, naming it', () => {
    refuses(load(), { type: 'runCell', id: 'ghost' }, /no cell with id "ghost"/);
  });
});
