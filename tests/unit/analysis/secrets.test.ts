/** Static discovery of `secrets.get('NAME')`: literal names are fetched before the cell runs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeCell, compileJsCell, findSecretNames } from '../../../src/analysis/index.js';
import { parseProgram } from '../../../src/analysis/parse.js';
import { codeCell, proseCell } from './helpers.js';

const find = (code: string) => findSecretNames(parseProgram(code), code);

test('string literal and plain template names are found once each, in order', () => {
  const code =
    'const a = secrets.get(\'API_KEY\');\nconst b = secrets.get(`db-pass`);\nsecrets.get("API_KEY")';
  assert.deepEqual(find(code), { names: ['API_KEY', 'db-pass'], dynamic: [] });
});

test('calls inside functions and the computed `secrets["get"]` form count too', () => {
  const code = "function f() { return secrets['get']('A1'); }\nconst g = () => secrets.get('B2');";
  assert.deepEqual(find(code).names, ['A1', 'B2']);
});

test('other objects and other methods are not secrets', () => {
  assert.deepEqual(find("config.get('X'); secrets.has('Y'); get('Z')"), { names: [], dynamic: [] });
});

test('a name computed at run time is reported as dynamic with its position', () => {
  const code = "const n = 'API';\nconst k = secrets.get(n + '_KEY');\nsecrets.get(`${n}`);\nsecrets.get()";
  assert.deepEqual(find(code), {
    names: [],
    dynamic: [
      { line: 2, column: 23 },
      { line: 3, column: 13 },
      { line: 4, column: 1 },
    ],
  });
});

test('analyzeCell lists the secrets of a JS or TS cell', () => {
  assert.deepEqual(analyzeCell(codeCell('js', "const key = secrets.get('API_KEY')")), {
    declarations: ['key'],
    references: ['secrets'],
    secrets: ['API_KEY'],
  });
  const ts = analyzeCell(codeCell('ts', "type T = string;\nconst key: T = secrets.get('TOKEN')"));
  assert.deepEqual(ts.secrets, ['TOKEN']);
  assert.equal('secrets' in analyzeCell(codeCell('js', 'const x = 1')), false);
});

test('a dynamic name is a cell error at its line (JS and TS)', () => {
  const message = 'secrets.get needs a string literal name, so the run can fetch it before the cell starts';
  const js = analyzeCell(codeCell('js', "const a = 1;\nconst k = secrets.get('A' + a);"));
  assert.deepEqual(js.error, { message, line: 2, column: 23 });
  const ts = analyzeCell(codeCell('ts', 'const a: number = 1;\n\nconst k = secrets.get(String(a));'));
  assert.equal(ts.error?.message, message);
  assert.equal(ts.error?.line, 3);
  assert.throws(() => compileJsCell(codeCell('js', 'secrets.get(name)')), /string literal name/);
});

test('the compiled cell carries the names for the host to fetch', () => {
  const compiled = compileJsCell(codeCell('js', "const key = secrets.get('API_KEY');\nkey.length"));
  assert.deepEqual(compiled.secrets, ['API_KEY']);
  assert.equal(compileJsCell(codeCell('js', '1')).secrets, undefined);
});

test('the ${…} of a SQL or prose cell name their secrets too; a dynamic name is an error there', () => {
  const sql = codeCell('sql', "select * from t\nwhere key = ${secrets.get('API_KEY')} and n = ${n}");
  assert.deepEqual(analyzeCell(sql).secrets, ['API_KEY']);
  const prose = proseCell("Token length: ${secrets.get('API_KEY').length}, user ${secrets.get('USER')}.");
  assert.deepEqual(analyzeCell(prose).secrets, ['API_KEY', 'USER']);
  assert.equal(analyzeCell(proseCell('No secrets: ${n}.')).secrets, undefined);

  const dynamic = analyzeCell(codeCell('sql', 'select 1\nwhere k = ${secrets.get(name)}'));
  assert.equal(
    dynamic.error?.message,
    'secrets.get needs a string literal name, so the run can fetch it before the cell starts',
  );
  assert.equal(dynamic.error?.line, 2);
});
