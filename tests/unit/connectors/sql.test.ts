// Pure helpers of the SQL engine: statement splitting, parameter gaps, lockdown order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lockdownStatements, memorySettings } from '../../../src/connectors/kernel/duckdb-lockdown.js';
import { lineFromMessage } from '../../../src/connectors/kernel/duckdb-errors.js';
import {
  isDense,
  positionalParameters,
  toNamedParameters,
} from '../../../src/connectors/kernel/sql-params.js';
import { splitStatements } from '../../../src/connectors/kernel/sql-split.js';

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

test('lockdown: the memory share, the spill cap and the threads are set before the lock', () => {
  const statements = lockdownStatements({
    workspace: '/w/ws',
    scratch: '/w/scratch',
    memoryMb: 512,
    cores: 8,
  });
  const at = (prefix: string) => statements.findIndex((s) => s.startsWith(prefix));
  assert.ok(at("SET memory_limit='512MiB'") >= 0);
  assert.ok(at("SET max_temp_directory_size='2048MiB'") >= 0);
  assert.ok(at('SET threads=2') >= 0);
  for (const setting of [
    'SET memory_limit',
    'SET max_temp_directory_size',
    'SET threads',
    'SET allowed_paths',
  ])
    assert.ok(at(setting) < at('SET lock_configuration=true'), setting);
  assert.ok(at('SET allowed_paths') < at('SET enable_external_access=false'));
  assert.equal(
    lockdownStatements({ workspace: '/w', scratch: '/s' }).filter((s) => /memory_limit|threads/.test(s))
      .length,
    0,
  );
});

test('lockdown: the allow-list of a workspace with hidden paths', () => {
  const statements = lockdownStatements({
    workspace: '/w/ws',
    scratch: '/w/scratch',
    allow: { directories: ['/w/scratch/', '/w/ws/data/'], files: ["/w/ws/it's.csv"] },
  });
  assert.ok(statements.includes("SET allowed_directories=['/w/scratch/', '/w/ws/data/']"));
  assert.ok(statements.includes("SET allowed_paths=['/w/ws/it''s.csv']"));
});

test('memory settings: at least one thread, at most the cores, 256 MiB each', () => {
  assert.deepEqual(memorySettings(64, 4), { memoryMb: 64, spillMb: 256, threads: 1 });
  assert.deepEqual(memorySettings(1024, 4), { memoryMb: 1024, spillMb: 4096, threads: 4 });
  assert.deepEqual(memorySettings(8192, 4), { memoryMb: 8192, spillMb: 32768, threads: 4 });
});
