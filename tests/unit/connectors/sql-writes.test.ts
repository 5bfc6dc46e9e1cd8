// The pure parts of the write guard: tokens, taking COPY / EXPORT / ATTACH apart and rebuilding
// them around a checked target, and the screen for calls and nested statements.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileStatementWord, Refusal, screenStatement } from '../../../src/connectors/kernel/sql-screen.js';
import { tokenize, TokenizeError } from '../../../src/connectors/kernel/sql-tokens.js';
import {
  isReadOnly,
  parseWriteStatement,
  rebuildStatement,
  UnsupportedStatement,
  type WriteStatement,
} from '../../../src/connectors/kernel/sql-writes.js';

const kinds = (sql: string) => tokenize(sql).map((t) => `${t.kind}:${t.value ?? t.text}`);

describe('tokenize', () => {
  const cases: [string, string[]][] = [
    ["select 'a''b' -- x\n, 1", ['word:select', "string:a'b", 'punct:,', 'number:1']],
    ["E'a\\'b' 'c\\'", ["string:a'b", 'string:c\\']],
    ['/* a /* nested */ still */ x', ['word:x']],
    ['a$b$ $1 $p2 $$x;y$$ $t$z$t$', ['word:a$b$', 'param:1', 'param:p2', 'string:x;y', 'string:z']],
    ['"Quoted ""id""" U&"x"', ['ident:Quoted "id"', 'ident:x']],
    ["date'2020-01-01' x'ff'", ['word:date', 'string:2020-01-01', "string:x'ff'"]],
    ['1.5e-3::int', ['number:1.5e-3', 'punct::', 'punct::', 'word:int']],
  ];
  for (const [sql, expected] of cases)
    test(JSON.stringify(sql), () => assert.deepEqual(kinds(sql), expected));

  for (const sql of ["select 'open", 'select "open', 'select /* open', 'select $a$ open']) {
    test(`unterminated: ${sql}`, () => assert.throws(() => tokenize(sql), TokenizeError));
  }
});

function parse(sql: string): WriteStatement {
  const statement = parseWriteStatement(tokenize(sql), sql);
  assert.ok(statement, `expected a write statement: ${sql}`);
  return statement;
}

describe('COPY, EXPORT DATABASE and ATTACH are rebuilt around the checked target', () => {
  const cases: [string, string][] = [
    ["COPY (select 1) TO 'x.csv'", "COPY (\nselect 1\n) TO '/s/x.csv'"],
    [
      "copy (select ';' -- c\n) to 'x' with (format csv, header, delimiter '|', partition_by (a, \"B\"), x -1)",
      "COPY (\nselect ';' -- c\n\n) TO '/s/x.csv' (format csv, header, delimiter '|', partition_by (a, \"B\"), x -1)",
    ],
    [
      'COPY main."My Table" (a, b) TO $1 (FORMAT parquet)',
      `COPY "main"."My Table" ("a", "b") TO '/s/x.csv' (FORMAT parquet)`,
    ],
    ["COPY t FROM 'data/*.csv' (HEADER true)", `COPY "t" FROM '/s/x.csv' (HEADER true)`],
    [
      "COPY (select 1) TO (scratch('a') || 'b') (FILENAME_PATTERN $p3)",
      "COPY (\nselect 1\n) TO '/s/x.csv' (FILENAME_PATTERN $p3)",
    ],
    ["EXPORT DATABASE 'out' (FORMAT parquet)", "EXPORT DATABASE '/s/x.csv' (FORMAT parquet)"],
    ['EXPORT DATABASE db TO $1', `EXPORT DATABASE "db" TO '/s/x.csv'`],
    [
      "ATTACH DATABASE IF NOT EXISTS 'a.db' AS a (READ_ONLY)",
      `ATTACH IF NOT EXISTS '/s/x.csv' AS "a" (READ_ONLY)`,
    ],
    ["attach or replace 'a.db'", "ATTACH OR REPLACE '/s/x.csv'"],
  ];
  for (const [sql, expected] of cases) {
    test(JSON.stringify(sql), () => assert.equal(rebuildStatement(parse(sql), '/s/x.csv'), expected));
  }

  test('the target, as written', () => {
    assert.deepEqual(parse("COPY t TO 'it''s.csv'").target, { kind: 'literal', value: "it's.csv" });
    assert.deepEqual(parse('COPY t TO $2').target, { kind: 'param', name: '2' });
    assert.deepEqual(parse("COPY t TO (scratch('x'))").target, {
      kind: 'expression',
      text: "(scratch('x'))",
    });
    assert.equal((parse("COPY t FROM 'x'") as { direction: string }).direction, 'from');
  });

  test('our literal replaces the target, whatever quoting or comments surround it', () => {
    const sql = "COPY (select '/s/x.csv') TO /* '/s/ok' */ 'notebook.nb.md' -- ';\n";
    assert.equal(rebuildStatement(parse(sql), "/s/o'k"), "COPY (\nselect '/s/x.csv'\n) TO '/s/o''k'");
  });

  const refused: string[] = [
    "COPY t TO '/s/'\n'../w/x'", // a string continued on the next line (PostgreSQL concatenates)
    "COPY t TO E'/s/\\x2e./x'", // escapes quire does not decode
    'COPY t TO STDOUT',
    'COPY t TO out.csv', // an unquoted file name
    "COPY t TO 'x' DELIMITER ','", // options outside parentheses
    "COPY t TO 'x' (FORMAT csv) ; garbage",
    "COPY t TO 'x' (KV_METADATA {a: 'b'})",
    "COPY t TO 'x' (DELIMITER E'\\t')",
    "COPY t TO 'x' (FILENAME_PATTERN lower('A'))",
    "EXPORT DATABASE 'x' extra",
  ];
  for (const sql of refused) {
    test(`refused: ${JSON.stringify(sql)}`, () => {
      assert.throws(() => parseWriteStatement(tokenize(sql), sql), UnsupportedStatement);
    });
  }

  test('COPY FROM DATABASE and other statements are not file writes', () => {
    for (const sql of ['COPY FROM DATABASE a TO b', 'select 1', 'PIVOT t ON y USING sum(v)'])
      assert.equal(parseWriteStatement(tokenize(sql), sql), undefined);
  });

  test('read-only ATTACH options', () => {
    const options = (sql: string) => parse(sql).options;
    assert.equal(isReadOnly(options("ATTACH 'a' (READ_ONLY)")), true);
    assert.equal(isReadOnly(options("ATTACH 'a' (TYPE duckdb, read_only true)")), true);
    assert.equal(isReadOnly(options("ATTACH 'a' (ACCESS_MODE READ_ONLY)")), true);
    assert.equal(isReadOnly(options("ATTACH 'a' (READ_ONLY false)")), false);
    assert.equal(isReadOnly(options("ATTACH 'a'")), false);
  });
});

describe('screen', () => {
  const refusal = (sql: string): Refusal => {
    try {
      screenStatement(tokenize(sql));
    } catch (error) {
      if (error instanceof Refusal) return error;
      throw error;
    }
    return assert.fail(`expected a refusal: ${sql}`);
  };

  const refused: [string, RegExp][] = [
    ["FROM enable_logging(storage='file', storage_path='logs')", /enable_logging/],
    ["select * from system.main.ENABLE_PROFILING(save_location='p.json')", /enable_profiling/],
    ['CALL "Enable_Logging" ()', /enable_logging/],
    ["select * from query('select 1')", /query/],
    ["with x as (from query /* c */ ('select 1')) from x", /query/],
    ["FROM json_execute_serialized_sql('{}')", /json_execute_serialized_sql/],
    ["PRAGMA import_database('x')", /import_database/],
    ["IMPORT DATABASE 'x'", /IMPORT DATABASE/],
    ["EXPLAIN ANALYZE COPY t TO 'x'", /COPY inside EXPLAIN/],
    ["EXPLAIN (FORMAT json, ANALYZE) COPY t TO 'x'", /COPY inside EXPLAIN/],
    ["PREPARE p (int) AS EXPLAIN ANALYZE ATTACH 'x'", /ATTACH inside PREPARE/],
    ["PREPARE p AS EXPORT DATABASE 'x'", /EXPORT inside PREPARE/],
  ];
  for (const [sql, message] of refused)
    test(`refused: ${sql}`, () => assert.match(refusal(sql).message, message));

  test('a refusal points at the token that decided it', () => {
    assert.equal(refusal('select 1\nfrom query(1)').at, 'select 1\nfrom '.length);
  });

  for (const sql of [
    'select 1 as query',
    "select 'query(' as s -- enable_logging(\n",
    'CREATE TABLE query (a int)',
    'INSERT INTO main.query (a) VALUES (1)',
    'create table if not exists enable_logging (a int)',
    'EXPLAIN ANALYZE SELECT * FROM t',
    'PREPARE p AS SELECT $1',
    'PRAGMA enable_profiling',
    "COPY t TO 'x'",
  ]) {
    test(`allowed: ${sql}`, () => assert.doesNotThrow(() => screenStatement(tokenize(sql))));
  }
});

test('a file-writing word in a statement DuckDB expands (COPY FROM DATABASE writes no file)', () => {
  assert.equal(fileStatementWord(tokenize('COPY FROM DATABASE a TO b'))?.value, undefined);
  assert.equal(
    fileStatementWord(tokenize('PIVOT (select \'copy\' as "export") ON x USING sum(v)')),
    undefined,
  );
  assert.equal(fileStatementWord(tokenize('PIVOT t ON x USING sum(v); EXPORT DATABASE x'))?.value, 'export');
});
