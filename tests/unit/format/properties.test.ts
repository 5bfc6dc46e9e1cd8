/** Property tests: lossless round trips, edits confined to their cell, no crash on any input. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deleteCell, setCellAttributes, setCellSource } from '../../../src/format/edit.js';
import { NotebookEditError, NotebookParseError } from '../../../src/format/errors.js';
import { normalizeEols } from '../../../src/format/lines.js';
import { parseNotebook } from '../../../src/format/parse.js';
import { serializeNotebook } from '../../../src/format/serialize.js';
import type { CodeCell, Notebook } from '../../../src/format/types.js';

interface Generated {
  text: string;
  codeCells: number;
}

const word = fc.constantFrom('alpha', 'beta', 'x', '42', 'héllo', '→', '');
const proseLine = fc.oneof(
  word,
  fc.constantFrom(
    '# Title ${region}',
    'price \\${5}',
    'code `${x}` span',
    '> quote',
    '- item ${a + 1}',
    '***',
    '    indented',
  ),
  fc.tuple(word, word).map(([a, b]) => `${a} \${${b || 'v'}} ${b}`),
);
const proseFence = fc.constantFrom(
  ['```python', 'print("${x}")', '```'],
  ['~~~', '```ts', '~~~'],
  ['````md', '```sql', '```', '````'],
);

const attribute = fc.constantFrom(
  'echo=false',
  'run=true',
  'timeout=5s',
  'note="a \\"b\\" c"',
  'connection=wh',
  'x.y=1',
);
const sourceLine = fc.oneof(
  fc.constantFrom('const a = 1;', 'select ${n}', '  nested', '', '``', '~~', '`x`'),
  fc.string({ maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')),
);

const codeCell = fc
  .record({
    char: fc.constantFrom('`', '~'),
    length: fc.integer({ min: 3, max: 5 }),
    closeExtra: fc.integer({ min: 0, max: 2 }),
    indent: fc.integer({ min: 0, max: 3 }),
    closeIndent: fc.integer({ min: 0, max: 3 }),
    language: fc.constantFrom('ts', 'typescript', 'js', 'javascript', 'sql'),
    name: fc.option(fc.constantFrom('a', 'b', 'orders'), { nil: undefined }),
    attributes: fc.array(attribute, { maxLength: 3 }),
    source: fc.array(sourceLine, { maxLength: 4 }),
    trailing: fc.constantFrom('', '  '),
  })
  .map((c) => {
    const attrs = [...new Set(c.attributes.map((a) => a.split('=')[0]))].map((k) =>
      c.attributes.find((a) => a.startsWith(`${k}=`)),
    );
    const info = [c.language, c.name && `name=${c.name}`, ...attrs].filter(Boolean).join(' ');
    const fence = c.char.repeat(c.length);
    // a source line must not close the fence: fences in it are at most 2 long (see sourceLine)
    const body = c.source.map((l) => (l === '' ? l : ' '.repeat(c.indent) + l));
    return [
      ' '.repeat(c.indent) + fence + info,
      ...body,
      ' '.repeat(c.closeIndent) + c.char.repeat(c.length + c.closeExtra) + c.trailing,
    ];
  });

const part = fc.oneof(
  fc
    .array(
      fc.oneof(
        proseLine.map((l) => [l]),
        proseFence,
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((ls) => ({ code: false, lines: ls.flat() })),
  codeCell.map((lines) => ({ code: true, lines })),
);

const frontMatter = fc.option(
  fc.constantFrom(
    ['---', 'title: T', 'tags: [a, b]', '---'],
    ['---', 'params:', '  n: 5', '  d: 2024-01-01', 'extra: 1', '---'],
    ['---', '---'],
  ),
  { nil: undefined },
);

const notebookText: fc.Arbitrary<Generated> = fc
  .record({
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n'),
    frontMatter,
    parts: fc.array(part, { maxLength: 8 }),
    finalEol: fc.boolean(),
  })
  .map(({ bom, eol, frontMatter: fm, parts, finalEol }) => {
    const lines = [...(fm ?? []), ...parts.flatMap((p) => p.lines)];
    const text = (bom ? '\uFEFF' : '') + lines.join(eol) + (finalEol && lines.length > 0 ? eol : '');
    return { text, codeCells: parts.filter((p) => p.code).length };
  });

const codeCells = (nb: Notebook): CodeCell[] => nb.cells.filter((c): c is CodeCell => c.kind === 'code');

/** Edits address cells by id; with a duplicate name only the first cell of that name is reachable. */
const uniqueIds = (nb: Notebook): boolean => new Set(nb.cells.map((c) => c.id)).size === nb.cells.length;

/** The bytes before and after cell `index` in the serialization. */
function around(nb: Notebook, index: number): [string, string] {
  const head =
    (nb.bom ? '\uFEFF' : '') +
    (nb.frontMatter?.raw ?? '') +
    nb.cells
      .slice(0, index)
      .map((c) => c.raw)
      .join('');
  return [
    head,
    nb.cells
      .slice(index + 1)
      .map((c) => c.raw)
      .join(''),
  ];
}

describe('format properties', () => {
  it('parse then serialize is byte-identical', () => {
    fc.assert(
      fc.property(notebookText, ({ text, codeCells: count }) => {
        const { notebook } = parseNotebook(text);
        assert.equal(serializeNotebook(notebook), text);
        assert.equal(codeCells(notebook).length, count);
      }),
      { numRuns: 500 },
    );
  });

  it('setCellSource changes only the bytes of the edited cell', () => {
    fc.assert(
      fc.property(notebookText, fc.nat(), fc.string({ maxLength: 40 }), ({ text }, pick, source) => {
        const nb = parseNotebook(text).notebook;
        const cells = codeCells(nb);
        fc.pre(cells.length > 0 && uniqueIds(nb));
        const cell = cells[pick % cells.length] as CodeCell;
        const index = nb.cells.indexOf(cell);
        const result = setCellSource(nb, cell.id, source);
        const [head, tail] = around(nb, index);
        const out = serializeNotebook(result);
        assert.ok(out.startsWith(head) && out.endsWith(tail), 'bytes outside the cell changed');
        const edited = result.cells[index] as CodeCell;
        const eol = /\r\n|\n|\r/.exec(cell.raw)?.[0] ?? '\n';
        assert.equal(edited.source, normalizeEols(source, eol));
        assert.deepEqual(parseNotebook(out).notebook, result);
      }),
      { numRuns: 300 },
    );
  });

  it('setCellAttributes and deleteCell keep other cells byte-identical', () => {
    fc.assert(
      fc.property(notebookText, fc.nat(), fc.boolean(), ({ text }, pick, echo) => {
        const nb = parseNotebook(text).notebook;
        fc.pre(nb.cells.length > 0 && uniqueIds(nb));
        const index = pick % nb.cells.length;
        const cell = nb.cells[index];
        const [head, tail] = around(nb, index);
        if (cell?.kind === 'code') {
          const out = serializeNotebook(setCellAttributes(nb, cell.id, { echo, timeout: 1500 }));
          assert.ok(out.startsWith(head) && out.endsWith(tail));
          const edited = parseNotebook(out).notebook.cells[index] as CodeCell;
          assert.deepEqual(
            [edited.attributes.echo, edited.attributes.timeoutMs, edited.source],
            [echo, 1500, cell.source],
          );
        }
        let deleted: Notebook;
        try {
          deleted = deleteCell(nb, cell?.id ?? '');
        } catch (err) {
          // removing a code cell may glue an unclosed prose fence onto later cells: refused, never silent
          assert.ok(err instanceof NotebookEditError);
          return;
        }
        assert.equal(serializeNotebook(deleted), head + tail);
      }),
      { numRuns: 300 },
    );
  });

  const markdownish = fc.string({
    unit: fc.constantFrom(
      '`',
      '~',
      '$',
      '{',
      '}',
      '\\',
      '\n',
      '\r',
      ' ',
      't',
      's',
      'q',
      'l',
      '-',
      '=',
      '"',
      "'",
      'a',
      ':',
      '[',
      ']',
      '*',
      '&',
      '\uFEFF',
    ),
    maxLength: 80,
  });

  it('any input parses or throws NotebookParseError, and round-trips when it parses', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          markdownish,
          fc.string({ unit: 'binary', maxLength: 80 }),
          notebookText.map((g) => g.text),
        ),
        (text) => {
          try {
            const { notebook } = parseNotebook(text);
            assert.equal(serializeNotebook(notebook), text);
          } catch (err) {
            if (!(err instanceof NotebookParseError)) throw err;
            assert.ok(err.line >= 1 && err.column >= 1);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
