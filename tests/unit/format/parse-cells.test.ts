import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNotebook } from '../../../src/format/parse.js';
import { serializeNotebook } from '../../../src/format/serialize.js';
import type { Cell, CodeCell } from '../../../src/format/types.js';
import { nb } from './helpers.js';

/** A compact view of cells: `code:<lang>:<id>:<source>` or `prose:<id>:<source>`. */
function shape(cells: Cell[]): string[] {
  return cells.map((c) =>
    c.kind === 'code' ? `code:${c.language}:${c.id}:${c.source}` : `prose:${c.id}:${c.source}`,
  );
}

interface CellCase {
  name: string;
  text: string;
  cells: string[];
}

const cases: CellCase[] = [
  { name: 'empty document', text: '', cells: [] },
  { name: 'prose only', text: nb('# Hi', 'text'), cells: ['prose:cell-1:# Hi\ntext\n'] },
  {
    name: 'languages and aliases',
    text: nb(
      '```ts',
      'a',
      '```',
      '```typescript',
      'b',
      '```',
      '```js',
      'c',
      '```',
      '```javascript',
      'd',
      '```',
      '```sql',
      'e',
      '```',
    ),
    cells: [
      'code:ts:cell-1:a',
      'code:ts:cell-2:b',
      'code:js:cell-3:c',
      'code:js:cell-4:d',
      'code:sql:cell-5:e',
    ],
  },
  {
    name: 'other languages stay prose',
    text: nb('```python', 'x', '```', '```tsx', 'y', '```', '```TS', 'z', '```'),
    cells: ['prose:cell-1:```python\nx\n```\n```tsx\ny\n```\n```TS\nz\n```\n'],
  },
  {
    name: 'tilde fences may carry backticks in the info string',
    text: nb('~~~ts name=a title=`x`', 'x', '~~~'),
    cells: ['code:ts:a:x'],
  },
  {
    name: 'a backtick fence with a backtick in the info string is not a fence',
    text: nb('```ts a=`b`', 'x', '```'),
    cells: ['prose:cell-1:```ts a=`b`\nx\n```\n'],
  },
  {
    name: 'longer closing fence closes; shorter does not',
    text: nb('````ts', '```', 'x', '``````', 'after'),
    cells: ['code:ts:cell-1:```\nx', 'prose:cell-2:after\n'],
  },
  {
    name: 'closing fence may have trailing spaces and up to 3 spaces indentation',
    text: nb('```ts', 'x', '   ```  ', 'p'),
    cells: ['code:ts:cell-1:x', 'prose:cell-2:p\n'],
  },
  {
    name: 'closing fence with text after it does not close',
    text: nb('```ts', '``` x', '```'),
    cells: ['code:ts:cell-1:``` x'],
  },
  {
    name: 'indented fence strips up to its indentation from content',
    text: nb('  ```ts', '    four', ' one', 'zero', '  ```'),
    cells: ['code:ts:cell-1:  four\none\nzero'],
  },
  {
    name: 'four spaces is an indented code block, not a fence',
    text: nb('    ```ts', '    x', '    ```'),
    cells: ['prose:cell-1:    ```ts\n    x\n    ```\n'],
  },
  {
    name: 'executable fences nested in another fence are prose',
    text: nb('````markdown', '```ts', 'x', '```', '````', '```ts', 'y', '```'),
    cells: ['prose:cell-1:````markdown\n```ts\nx\n```\n````\n', 'code:ts:cell-2:y'],
  },
  {
    name: 'an unterminated fence of another language runs to the end',
    text: nb('```python', '```ts', 'x'),
    cells: ['prose:cell-1:```python\n```ts\nx\n'],
  },
  {
    name: 'adjacent code cells have no prose between them',
    text: nb('```ts', 'a', '```', '```ts', 'b', '```'),
    cells: ['code:ts:cell-1:a', 'code:ts:cell-2:b'],
  },
  {
    name: 'a blank line between code cells is a prose cell',
    text: nb('```ts', 'a', '```', '', '```ts', 'b', '```'),
    cells: ['code:ts:cell-1:a', 'prose:cell-2:\n', 'code:ts:cell-3:b'],
  },
  {
    name: 'empty code cell and a code cell of one blank line both have empty source',
    text: nb('```ts', '```', '```ts', '', '```'),
    cells: ['code:ts:cell-1:', 'code:ts:cell-2:'],
  },
  {
    name: 'source keeps a trailing blank line',
    text: nb('```ts', 'a', '', '```'),
    cells: ['code:ts:cell-1:a\n'],
  },
  {
    name: 'last closing fence without a newline',
    text: '```ts\na\n```',
    cells: ['code:ts:cell-1:a'],
  },
  {
    name: 'ids: names win, unnamed cells count every cell',
    text: nb('p', '```sql name=orders', 's', '```', 'q', '```ts', 't', '```'),
    cells: ['prose:cell-1:p\n', 'code:sql:orders:s', 'prose:cell-3:q\n', 'code:ts:cell-4:t'],
  },
  {
    name: 'duplicate names are not a parse error',
    text: nb('```ts name=a', '1', '```', '```ts name=a', '2', '```'),
    cells: ['code:ts:a:1', 'code:ts:a:2'],
  },
  {
    name: 'block quote fences are prose',
    text: nb('> ```ts', '> x', '> ```'),
    cells: ['prose:cell-1:> ```ts\n> x\n> ```\n'],
  },
  {
    name: 'lone CR line endings',
    text: '```ts\ra\r```\rp',
    cells: ['code:ts:cell-1:a', 'prose:cell-2:p'],
  },
];

describe('cells', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { notebook } = parseNotebook(c.text);
      assert.deepEqual(shape(notebook.cells), c.cells);
      assert.equal(serializeNotebook(notebook), c.text);
    });
  }

  it('records lines, info and raw', () => {
    const text = nb(
      '---',
      'title: t',
      '---',
      'intro',
      '',
      '  ~~~~ sql   name=orders  ',
      '  select 1',
      '  ~~~~~',
      'end',
    );
    const { notebook } = parseNotebook(text);
    const [prose, code, tail] = notebook.cells;
    assert.equal(prose?.line, 4);
    const cell = code as CodeCell;
    assert.equal(cell.line, 6);
    assert.equal(cell.sourceLine, 7);
    assert.equal(cell.info, 'sql   name=orders');
    assert.equal(cell.raw, '  ~~~~ sql   name=orders  \n  select 1\n  ~~~~~\n');
    assert.equal(cell.source, 'select 1');
    assert.equal(tail?.line, 9);
  });

  it('keeps CRLF in raw and source, and round-trips a BOM', () => {
    const text = '\uFEFF---\r\ntitle: t\r\n---\r\n# a\r\n```ts\r\nx\r\ny\r\n```\r\n';
    const { notebook } = parseNotebook(text);
    assert.equal(notebook.bom, true);
    assert.equal(notebook.frontMatter?.title, 't');
    assert.equal((notebook.cells[1] as CodeCell).source, 'x\r\ny');
    assert.equal(notebook.cells[0]?.line, 4);
    assert.equal(serializeNotebook(notebook), text);
  });

  it('keeps the path', () => {
    assert.equal(parseNotebook('', { path: 'a.nb.md' }).notebook.path, 'a.nb.md');
  });
});

describe('attributes', () => {
  const attrs = (info: string) => {
    const result = parseNotebook(nb('```' + info, 'x', '```'));
    return { attributes: (result.notebook.cells[0] as CodeCell).attributes, warnings: result.warnings };
  };

  it('defaults', () => {
    assert.deepEqual(attrs('ts').attributes, { echo: true, run: true, extra: {} });
  });

  it('known attributes', () => {
    assert.deepEqual(attrs('sql name=orders connection=wh echo=false run=false timeout=1.5m').attributes, {
      name: 'orders',
      connection: 'wh',
      echo: false,
      run: false,
      timeoutMs: 90_000,
      extra: {},
    });
  });

  it('quoted values with escapes', () => {
    const { attributes } = attrs('sql name="orders" connection="my \\"big\\" db \\\\ x" note="a=b c\\n"');
    assert.equal(attributes.connection, 'my "big" db \\ x');
    assert.deepEqual(attributes.extra, { note: 'a=b c\\n' });
  });

  it('unknown attributes are kept and warned about at their column', () => {
    const { attributes, warnings } = attrs('ts name=a color=red');
    assert.deepEqual(attributes.extra, { color: 'red' });
    assert.deepEqual(warnings, [
      {
        line: 1,
        column: 14,
        cellId: 'a',
        message: 'unknown cell attribute "color" (known: name, connection, echo, run, timeout)',
      },
    ]);
  });

  it('connection on a JS cell is a warning', () => {
    const { warnings } = attrs('js connection=pg');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.message ?? '', /applies only to SQL cells/);
    assert.deepEqual([warnings[0]?.line, warnings[0]?.column, warnings[0]?.cellId], [1, 7, 'cell-1']);
  });

  it('an SQL name that is not a variable name is a warning', () => {
    const { warnings } = attrs('sql name="my table"');
    assert.match(warnings[0]?.message ?? '', /not a valid variable name/);
  });
});
