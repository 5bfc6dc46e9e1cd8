import { describe, it } from 'node:test';
import { assertParseError, nb } from './helpers.js';

interface ErrorCase {
  name: string;
  text: string;
  line: number;
  column: number;
  message: RegExp;
}

const cases: ErrorCase[] = [
  {
    name: 'unterminated ts fence names where it opened',
    text: nb('# t', '', '```ts', 'const a = 1;'),
    line: 3,
    column: 1,
    message: /unterminated ```ts fence opened at line 3/,
  },
  {
    name: 'unterminated indented tilde sql fence',
    text: nb('x', '  ~~~~sql name=a', 'select 1', '~~~'),
    line: 2,
    column: 3,
    message: /unterminated ~~~~sql fence opened at line 2/,
  },
  {
    name: 'closing fence shorter than the opening does not close',
    text: nb('````js', 'x', '```'),
    line: 1,
    column: 1,
    message: /unterminated ````js fence/,
  },
  {
    name: 'closing fence of the other character does not close',
    text: nb('```typescript', 'x', '~~~'),
    line: 1,
    column: 1,
    message: /unterminated ```typescript fence/,
  },
  {
    name: 'attribute without a value',
    text: nb('```ts name', 'x', '```'),
    line: 1,
    column: 7,
    message: /attribute "name" needs a value/,
  },
  {
    name: 'attribute with an empty bare value',
    text: nb('```ts name= echo=true', 'x', '```'),
    line: 1,
    column: 7,
    message: /attribute "name" has no value/,
  },
  {
    name: 'unterminated quoted value',
    text: nb('x', '```sql name="abc', 'x', '```'),
    line: 2,
    column: 13,
    message: /unterminated quoted value of attribute "name"/,
  },
  {
    name: 'escaped quote does not end the value',
    text: nb('```sql name="a\\"', 'x', '```'),
    line: 1,
    column: 13,
    message: /unterminated quoted value/,
  },
  {
    name: 'text glued after a quoted value',
    text: nb('```sql name="a"b', 'x', '```'),
    line: 1,
    column: 16,
    message: /expected a space after the value of attribute "name"/,
  },
  {
    name: 'not a key',
    text: nb('```ts {.class}', 'x', '```'),
    line: 1,
    column: 7,
    message: /unexpected "\{" in cell attributes/,
  },
  {
    name: 'bad boolean',
    text: nb('```ts echo=no', 'x', '```'),
    line: 1,
    column: 12,
    message: /attribute "echo" must be true or false, got "no"/,
  },
  {
    name: 'bad run boolean with indentation and spaces',
    text: nb('   ```  js   run=False', 'x', '```'),
    line: 1,
    column: 18,
    message: /attribute "run" must be true or false/,
  },
  {
    name: 'bad cell timeout',
    text: nb('```ts timeout=30', 'x', '```'),
    line: 1,
    column: 15,
    message: /attribute "timeout": invalid duration "30"/,
  },
  {
    name: 'duplicate attribute',
    text: nb('```ts name=a name=b', 'x', '```'),
    line: 1,
    column: 14,
    message: /duplicate attribute "name"/,
  },
  {
    name: 'unclosed ${ in prose',
    text: nb('# Title', '', 'Total: ${sum(a, b)'),
    line: 3,
    column: 8,
    message: /unclosed \$\{ interpolation/,
  },
  {
    name: 'unclosed ${ after a code cell (line is a file line)',
    text: nb('```ts', 'x', '```', 'ok ${a}', 'then ${ `}` '),
    line: 5,
    column: 6,
    message: /unclosed \$\{/,
  },
  {
    name: 'empty ${}',
    text: nb('a ${ } b'),
    line: 1,
    column: 3,
    message: /empty \$\{\} interpolation/,
  },
  {
    name: 'unterminated front matter',
    text: nb('---', 'title: x', '', '# body'),
    line: 1,
    column: 1,
    message: /unterminated front matter/,
  },
  {
    name: 'YAML syntax error',
    text: nb('---', 'title: x', 'tags: [a, b', '---'),
    line: 4,
    column: 1,
    message: /front matter: /,
  },
  {
    name: 'duplicate YAML key',
    text: nb('---', 'title: x', 'title: y', '---'),
    line: 3,
    column: 1,
    message: /Map keys must be unique/,
  },
  {
    name: 'front matter that is not a mapping',
    text: nb('---', '- a', '- b', '---'),
    line: 2,
    column: 1,
    message: /front matter must be a YAML mapping/,
  },
  {
    name: 'bad front matter timeout',
    text: nb('---', 'timeout: 10 minutes', '---'),
    line: 2,
    column: 10,
    message: /"timeout": expected a duration/,
  },
  {
    name: 'timeout without a unit',
    text: nb('---', 'timeout: 10', '---'),
    line: 2,
    column: 10,
    message: /"timeout"/,
  },
  {
    name: 'params not a mapping',
    text: nb('---', 'params: [a, b]', '---'),
    line: 2,
    column: 9,
    message: /"params" must be a mapping/,
  },
  {
    name: 'unknown param type points at the type',
    text: nb('---', 'params:', '  n: {type: float, default: 1}', '---'),
    line: 3,
    column: 13,
    message: /param "n": unknown type "float"/,
  },
  {
    name: 'default not fitting the type points at the default',
    text: nb('---', 'params:', '  n:', '    type: integer', '    default: 1.5', '---'),
    line: 5,
    column: 14,
    message: /default of param "n": expected an integer, got 1.5/,
  },
  {
    name: 'default outside the enum',
    text: nb('---', 'params:', '  region: { type: string, default: XX, enum: [EU, US] }', '---'),
    line: 3,
    column: 36,
    message: /default of param "region": expected one of "EU", "US", got "XX"/,
  },
  {
    name: 'enum value not fitting the type',
    text: nb('---', 'params:', '  n: { type: number, enum: [1, two] }', '---'),
    line: 3,
    column: 32,
    message: /enum value of param "n": expected a number, got "two"/,
  },
  {
    name: 'default below min',
    text: nb('---', 'params:', '  n: { type: number, default: -1, min: 0 }', '---'),
    line: 3,
    column: 31,
    message: /expected a number >= 0, got -1/,
  },
  {
    name: 'default above max',
    text: nb('---', 'params:', '  n: { type: integer, default: 11, min: 0, max: 10 }', '---'),
    line: 3,
    column: 32,
    message: /expected an integer between 0 and 10, got 11/,
  },
  {
    name: 'min on a string param',
    text: nb('---', 'params:', '  s: { type: string, min: 1 }', '---'),
    line: 3,
    column: 27,
    message: /min applies only to number and integer params/,
  },
  {
    name: 'min greater than max',
    text: nb('---', 'params:', '  n: { type: number, min: 5, max: 1 }', '---'),
    line: 3,
    column: 27,
    message: /min is greater than max/,
  },
  {
    name: 'date default that is not a calendar date',
    text: nb('---', 'params:', '  d: { type: date, default: 2024-02-30 }', '---'),
    line: 3,
    column: 29,
    message: /expected a date \(YYYY-MM-DD\), got "2024-02-30"/,
  },
  {
    name: 'param name that is not a variable name',
    text: nb('---', 'params:', '  min-total: 5', '---'),
    line: 3,
    column: 3,
    message: /param name "min-total" is not a valid variable name/,
  },
  {
    name: 'shorthand without a value',
    text: nb('---', 'params:', '  region:', '---'),
    line: 3,
    column: 3,
    message: /param "region": expected a default value/,
  },
  {
    name: 'long form without type or default',
    text: nb('---', 'params:', '  region: { description: where }', '---'),
    line: 3,
    column: 11,
    message: /param "region": needs a type or a default/,
  },
  {
    name: 'empty enum',
    text: nb('---', 'params:', '  r: { type: string, enum: [] }', '---'),
    line: 3,
    column: 28,
    message: /enum must be a non-empty list/,
  },
  {
    name: 'positions ignore a BOM and count CRLF lines',
    text: '\uFEFF---\r\nparams:\r\n  n: {type: nope}\r\n---\r\n',
    line: 3,
    column: 13,
    message: /unknown type "nope"/,
  },
  {
    name: 'unresolved YAML alias',
    text: nb('---', 'title: *nope', '---'),
    line: 2,
    column: 1,
    message: /front matter/,
  },
];

describe('parse errors carry line and column', () => {
  for (const c of cases) {
    it(c.name, () => assertParseError(c.text, c.line, c.column, c.message));
  }
});
