/** The editor's save text: an edited code cell changes only its own bytes (DESIGN §2 rule 6). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNotebook } from '../../../src/format/index.js';
import { rebuildText, textPrefix } from '../../../src/ui/rebuild.js';

const TEXT =
  '\uFEFF---\r\ntitle: T\r\n---\r\n\r\n# T\r\n\r\n```ts name=a\r\nconst a = 1;\r\n```\r\n  ~~~sql name=b\r\n  select 1\r\n  ~~~\r\ntail  \r\n';

test('the prefix is the BOM and front matter; no edits give the same bytes', () => {
  const { cells } = parseNotebook(TEXT).notebook;
  assert.equal(textPrefix(TEXT, cells), '\uFEFF---\r\ntitle: T\r\n---\r\n');
  assert.equal(rebuildText(TEXT, cells, new Map()).text, TEXT);
});

test('an edit rewrites only its cell, keeping fence style, indentation and line endings', () => {
  const { cells } = parseNotebook(TEXT).notebook;
  const b = cells.findIndex((c) => c.id === 'b');
  const { text } = rebuildText(TEXT, cells, new Map([[b, 'select 2\nfrom t']]));
  assert.equal(text, TEXT.replace('  select 1\r\n', '  select 2\r\n  from t\r\n'));
  assert.deepEqual(
    parseNotebook(text).notebook.cells.map((c) => c.source),
    cells.map((c, i) => (i === b ? 'select 2\r\nfrom t' : c.source)),
  );
});

test('a source holding a closing fence grows the fence instead of ending the cell early', () => {
  const { cells } = parseNotebook(TEXT).notebook;
  const a = cells.findIndex((c) => c.id === 'a');
  const { text } = rebuildText(TEXT, cells, new Map([[a, 'const s = `\n```\n`;']]));
  const reparsed = parseNotebook(text).notebook.cells;
  assert.equal(reparsed.length, cells.length);
  assert.equal(reparsed[a]?.source, 'const s = `\r\n```\r\n`;');
});

test('cells that do not tile the text refuse to rebuild', () => {
  const { cells } = parseNotebook(TEXT).notebook;
  assert.throws(() => rebuildText(TEXT + 'x', cells.slice(1), new Map()), /raw mode/);
});
