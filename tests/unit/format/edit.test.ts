import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deleteCell,
  insertCell,
  moveCell,
  setCellAttributes,
  setCellSource,
} from '../../../src/format/edit.js';
import { NotebookEditError } from '../../../src/format/errors.js';
import { parseNotebook } from '../../../src/format/parse.js';
import { serializeNotebook } from '../../../src/format/serialize.js';
import type { CodeCell, Notebook } from '../../../src/format/types.js';
import { nb } from './helpers.js';

const parse = (text: string): Notebook => parseNotebook(text).notebook;

/** The edit result must be exactly what parsing its own serialization gives. */
function assertReparses(result: Notebook): string {
  const text = serializeNotebook(result);
  assert.deepEqual(parse(text), result);
  return text;
}

const base = nb(
  '---',
  'title: t',
  '---',
  '# Intro ${a}',
  '',
  '~~~~ts name=a echo=false  note="x y"',
  'const a = 1;',
  '~~~~~',
  '',
  '  ```sql',
  '  select 1',
  '  ```',
  'end',
);

describe('setCellSource', () => {
  it('rewrites only the code cell, keeping its fence style', () => {
    const result = setCellSource(parse(base), 'a', 'const a = 2;\nconst b = a;');
    const text = assertReparses(result);
    assert.equal(text, base.replace('const a = 1;\n', 'const a = 2;\nconst b = a;\n'));
  });

  it('re-indents the content of an indented fence', () => {
    const result = setCellSource(parse(base), 'cell-4', 'select 2\n\nfrom t');
    const text = assertReparses(result);
    assert.equal(text, base.replace('  select 1\n', '  select 2\n\n  from t\n'));
    assert.equal((result.cells[3] as CodeCell).source, 'select 2\n\nfrom t');
  });

  it('lengthens the fence when the source contains a closing fence', () => {
    const text = nb('```ts', 'x', '```', 'after');
    const result = setCellSource(parse(text), 'cell-1', 'const s = `\n````\n`;');
    assert.equal(assertReparses(result), nb('`````ts', 'const s = `', '````', '`;', '`````', 'after'));
  });

  it('uses the file line endings', () => {
    const text = '# a\r\n```ts\r\nx\r\n```\r\n';
    const result = setCellSource(parse(text), 'cell-2', 'y\nz');
    assert.equal(assertReparses(result), '# a\r\n```ts\r\ny\r\nz\r\n```\r\n');
    assert.equal((result.cells[1] as CodeCell).source, 'y\r\nz');
  });

  it('an empty source leaves an empty fence', () => {
    assert.equal(
      assertReparses(setCellSource(parse(nb('```ts', 'x', '```')), 'cell-1', '')),
      nb('```ts', '```'),
    );
  });

  it('edits a prose cell and recomputes its interpolations', () => {
    const result = setCellSource(parse(base), 'cell-1', '# New ${b}\n\n');
    assertReparses(result);
    assert.deepEqual(
      result.cells[0]?.kind === 'prose' && result.cells[0].interpolations.map((i) => i.expression),
      ['b'],
    );
  });

  it('refuses prose that would swallow the following cells', () => {
    assert.throws(() => setCellSource(parse(base), 'cell-1', '```python\n'), NotebookEditError);
    assert.throws(() => setCellSource(parse(base), 'cell-1', 'x ${'), /invalid.*unclosed/);
  });

  it('keeps the BOM', () => {
    const result = setCellSource(parse('\uFEFF```ts\nx\n```\n'), 'cell-1', 'y');
    assert.equal(assertReparses(result), '\uFEFF```ts\ny\n```\n');
  });

  it('unknown ids are an edit error', () => {
    assert.throws(() => setCellSource(parse(base), 'nope', ''), /no cell with id "nope"/);
  });
});

describe('insertCell', () => {
  it('inserts a code cell with attributes', () => {
    const result = insertCell(parse(base), 1, {
      language: 'sql',
      source: 'select 3',
      attributes: { name: 'q', connection: 'my db' },
    });
    const text = assertReparses(result);
    assert.equal(text, base.replace('~~~~ts', '```sql name=q connection="my db"\nselect 3\n```\n~~~~ts'));
    assert.equal(result.cells[1]?.id, 'q');
  });

  it('adds the missing newline of the part before it', () => {
    const result = insertCell(parse('text'), 1, { language: 'ts', source: 'x' });
    assert.equal(assertReparses(result), 'text\n```ts\nx\n```\n');
  });

  it('inserts prose between code cells', () => {
    const text = nb('```ts', 'a', '```', '```ts', 'b', '```');
    const result = insertCell(parse(text), 1, { prose: '\nBetween.\n\n' });
    assert.equal(assertReparses(result), nb('```ts', 'a', '```', '', 'Between.', '', '```ts', 'b', '```'));
  });

  it('prose next to prose merges into one cell, a paragraph of its own', () => {
    const result = insertCell(parse(nb('a')), 1, { prose: 'b\n' });
    assert.equal(assertReparses(result), 'a\n\nb\n');
    assert.equal(result.cells.length, 1);
  });

  it('prose without blank lines gets them next to a code cell; the code cell keeps its bytes', () => {
    const code = nb('```ts', 'a', '```', '```ts', 'b', '```');
    const after = insertCell(parse(code), 1, { prose: 'New text.' });
    assert.equal(assertReparses(after), nb('```ts', 'a', '```', '', 'New text.', '', '```ts', 'b', '```'));
    const last = insertCell(parse(code), 2, { prose: 'End.' });
    assert.equal(assertReparses(last), nb('```ts', 'a', '```', '```ts', 'b', '```', '', 'End.'));
    const first = insertCell(parse(code), 0, { prose: 'Top.' });
    assert.equal(assertReparses(first), nb('Top.', '', '```ts', 'a', '```', '```ts', 'b', '```'));
    // blank lines the text brings, or the neighbour has, are not doubled
    const framed = insertCell(parse(nb('```ts', 'a', '```', '', 'Old.')), 1, { prose: '\nNew.\n' });
    assert.equal(assertReparses(framed), nb('```ts', 'a', '```', '', 'New.', '', 'Old.'));
  });

  it('into an empty notebook with front matter', () => {
    const result = insertCell(parse('---\ntitle: x\n---'), 0, { language: 'js', source: '1' });
    assert.equal(assertReparses(result), '---\ntitle: x\n---\n```js\n1\n```\n');
  });

  it('rejects an index out of range', () => {
    assert.throws(() => insertCell(parse(base), 99, { prose: 'x' }), NotebookEditError);
  });
});

describe('deleteCell and moveCell', () => {
  it('deleting a code cell merges the prose around it', () => {
    const result = deleteCell(parse(base), 'a');
    const text = assertReparses(result);
    assert.equal(text, base.replace('~~~~ts name=a echo=false  note="x y"\nconst a = 1;\n~~~~~\n', ''));
    assert.equal(result.cells.length, 3);
  });

  it('moves a cell, adding the newline the last cell lacked', () => {
    const text = '```ts\na\n```\n```ts\nb\n```';
    const result = moveCell(parse(text), 'cell-2', 0);
    assert.equal(assertReparses(result), '```ts\nb\n```\n```ts\na\n```\n');
  });

  it('moving a cell to its own place changes nothing', () => {
    assert.equal(serializeNotebook(moveCell(parse(base), 'a', 1)), base);
  });

  it('rejects an index out of range', () => {
    assert.throws(() => moveCell(parse(base), 'a', 5), NotebookEditError);
  });
});

describe('setCellAttributes', () => {
  it('changes one attribute and keeps the others as written', () => {
    const result = setCellAttributes(parse(base), 'a', { echo: true, timeout: 30_000 });
    const text = assertReparses(result);
    assert.equal(
      text,
      base.replace('~~~~ts name=a echo=false  note="x y"', '~~~~ts name=a echo=true note="x y" timeout=30s'),
    );
  });

  it('removes attributes with null and renames', () => {
    const result = setCellAttributes(parse(base), 'a', { name: 'b', extra: { note: null } });
    assertReparses(result);
    assert.equal(result.cells[1]?.id, 'b');
    assert.equal((result.cells[1] as CodeCell).info, 'ts name=b echo=false');
  });

  it('an empty patch changes nothing but spacing of the info string', () => {
    const text = nb('```ts name=a', 'x', '```');
    assert.equal(serializeNotebook(setCellAttributes(parse(text), 'a', {})), text);
  });

  it('refuses prose cells, backticks in backtick fences and bad durations', () => {
    assert.throws(() => setCellAttributes(parse(base), 'cell-1', { echo: false }), /is prose/);
    assert.throws(() => setCellAttributes(parse(base), 'cell-4', { name: 'a`b' }), /backtick/);
    assert.throws(() => setCellAttributes(parse(base), 'cell-4', { timeout: 'soon' }), /invalid duration/);
  });
});
