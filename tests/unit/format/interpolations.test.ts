import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCodeInterpolations, findProseInterpolations } from '../../../src/format/interpolations.js';
import { parseNotebook } from '../../../src/format/parse.js';
import type { ProseCell } from '../../../src/format/types.js';

const cases: Array<{ name: string; text: string; expressions: string[] }> = [
  { name: 'simple', text: 'In ${region}.', expressions: ['region'] },
  { name: 'several', text: '${a} and ${b + 1}', expressions: ['a', 'b + 1'] },
  { name: 'balanced braces', text: '${ {a: 1}.a } x', expressions: [' {a: 1}.a '] },
  { name: 'braces in strings', text: `\${"}" + '{' + "\\"}"}`, expressions: [`"}" + '{' + "\\"}"`] },
  {
    name: 'template literal with nested ${}',
    text: '${`a ${b ? `}` : "{"} c`} d',
    expressions: ['`a ${b ? `}` : "{"} c`'],
  },
  { name: 'escaped \\${ is literal', text: 'price \\${x} and ${y}', expressions: ['y'] },
  { name: 'escaped backslash before ${ leaves it active', text: '\\\\${x}', expressions: ['x'] },
  { name: 'not in code spans', text: 'code `${x}` and ``${`y`}`` but ${z}', expressions: ['z'] },
  { name: 'unmatched backticks are literal', text: 'a ` b ${x}', expressions: ['x'] },
  { name: 'code spans end at a blank line', text: 'a `b\n\n${x} `', expressions: ['x'] },
  { name: 'not in fences of other languages', text: '```python\nf"${x}"\n```\n${y}\n', expressions: ['y'] },
  { name: 'multi-line expression', text: '${a +\n b}', expressions: ['a +\n b'] },
  { name: 'a lone $ is text', text: 'costs $5 or $ {x}', expressions: [] },
];

describe('prose interpolations', () => {
  for (const c of cases) {
    it(c.name, () => {
      const found = findProseInterpolations(c.text);
      assert.deepEqual(
        found.map((i) => i.expression),
        c.expressions,
      );
      for (const i of found) assert.equal(c.text.slice(i.start, i.end), '${' + i.expression + '}');
    });
  }

  it('offsets are into the prose cell source', () => {
    const { notebook } = parseNotebook('```ts\nx\n```\nab ${c}\n');
    const prose = notebook.cells[1] as ProseCell;
    assert.deepEqual(prose.interpolations, [{ expression: 'c', start: 3, end: 7 }]);
  });
});

describe('code interpolations', () => {
  it('finds ${} in SQL without Markdown rules', () => {
    assert.deepEqual(
      findCodeInterpolations("where a = ${region} and b = '${`x`}' and c = \\${d}").map((i) => i.expression),
      ['region', '`x`', 'd'],
    );
  });
});
