// Pure helpers of the SQL engine: statement splitting, parameter gaps, lockdown order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lockdownStatements } from '../../../src/connectors/duckdb-lockdown.js';
import { lineFromMessage } from '../../../src/connectors/duckdb-errors.js';
import { isDense, positionalParameters, toNamedParameters } from '../../../src/connectors/sql-params.js';
import { splitStatements } from '../../../src/connectors/sql-split.js';

const splitCases: [string, { text: string; line: number }[]][] = [
  ['select 1', [{ text: 'select 1', line: 1 }]],
  [
    'select 1;\nselect 2;',
    [
      { text: 'select 1', line: 1 },
      { text: 'select 2', line: 2 },
    ],
  ],
  [
    "select ';' as s; select 2",
    [
      { text: "select ';' as s", line: 1 },
      { text: 'select 2', line: 1 },
    ],
  ],
  ['select "a;b" from t', [{ text: 'select "a;b" from t', line: 1 }]],
  ['-- c; d\nselect 1', [{ text: '-- c; d\nselect 1', line: 1 }]],
  ['/* a; /* nested; */ b; */ select 1', [{ text: '/* a; /* nested; */ b; */ select 1', line: 1 }]],
  [
    'select $$a;b$$, $t$x;$t$; select 2',
    [
      { text: 'select $$a;b$$, $t$x;$t$', line: 1 },
      { text: 'select 2', line: 1 },
    ],
  ],
  [
    'select $1;\n\n  select $2',
    [
      { text: 'select $1', line: 1 },
      { text: 'select $2', line: 3 },
    ],
  ],
  ["select 'it''s;'", [{ text: "select 'it''s;'", line: 1 }]],
  [';;\n -- only comments\n;', []],
  ["select 'unterminated; select 2", [{ text: "select 'unterminated; select 2", line: 1 }]],
];
for (const [sql, expected] of splitCases) {
  test(`splitStatements ${JSON.stringify(sql)}`, () => assert.deepEqual(splitStatements(sql), expected));
}

test('positional parameters skip quotes and comments', () => {
  assert.deepEqual([...positionalParameters('select $2, \'$3\', "$4" -- $5\n, $2')], [2]);
  assert.equal(isDense(new Set([1, 2])), true);
  assert.equal(isDense(new Set([2])), false);
  assert.equal(isDense(new Set()), true);
  assert.equal(toNamedParameters("select $2, '$2' /* $2 */, $10"), "select $p2, '$2' /* $2 */, $p10");
});

test('a LINE marker is made relative to the cell', () => {
  assert.equal(lineFromMessage('Parser Error: x\n\nLINE 2: foo', 5), 6);
  assert.equal(lineFromMessage('Conversion Error: no marker', 5), 5);
});

test('lockdown: allowed directories, then no external access, then the lock', () => {
  const statements = lockdownStatements({ workspace: '/w/ws', scratch: '/w/scratch' });
  const at = (prefix: string) => statements.findIndex((s) => s.startsWith(prefix));
  assert.ok(at('SET temp_directory') >= 0 && at('SET temp_directory') < at('SET lock_configuration'));
  assert.ok(at('SET allowed_directories') < at('SET enable_external_access=false'));
  assert.ok(at('SET enable_external_access=false') < at('SET lock_configuration=true'));
  assert.equal(statements.at(-1), 'SET lock_configuration=true');
  assert.match(statements[at('SET allowed_directories')] ?? '', /\['\/w\/ws\/', '\/w\/scratch\/'\]/);
});
