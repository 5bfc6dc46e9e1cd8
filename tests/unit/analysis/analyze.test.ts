/** analyzeCell across kinds: prose, errors with cell-relative positions, and the source map decoder. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeCell, analyzeCells } from '../../../src/analysis/index.js';
import { decodeVlq, lineMapFromMappings } from '../../../src/analysis/sourcemap.js';
import { codeCell, proseCell } from './helpers.js';

test('prose references are the free names of its interpolations', () => {
  const cell = proseCell('# Orders in ${region}\n\nTop: ${rows.map((r) => r.name).join(", ")} and \\${not}');
  assert.deepEqual(analyzeCell(cell), { declarations: [], references: ['region', 'rows'] });
});

test('prose without interpolations references nothing', () => {
  assert.deepEqual(analyzeCell(proseCell('Just *text* with $ and {braces}.')), {
    declarations: [],
    references: [],
  });
});

test('a bad prose interpolation is an error at its position in the cell', () => {
  const analysis = analyzeCell(proseCell('line one\nvalue: ${a b} end'));
  assert.deepEqual(analysis.error && [analysis.error.line, analysis.error.column], [2, 12]);
  assert.deepEqual(analysis.references, []);
});

test('a JS syntax error has the cell line and column', () => {
  const analysis = analyzeCell(codeCell('js', 'const a = 1;\n\n  a = = 2;'));
  assert.deepEqual(analysis.error, { message: 'Unexpected token', line: 3, column: 7 });
  assert.deepEqual(analysis.declarations, []);
});

test('a TS syntax error has the TS line and column', () => {
  const analysis = analyzeCell(
    codeCell('ts', 'interface A { x: number }\nconst a: A = {x: 1};\nconst b = (a;'),
  );
  assert.equal(analysis.error?.line, 3);
  assert.equal(analysis.error?.column, 13);
  assert.match(analysis.error?.message ?? '', /Expected "\)"/);
});

test('TS error columns count characters, not UTF-8 bytes', () => {
  const analysis = analyzeCell(codeCell('ts', "const s = 'ééé'; const = 1;"));
  assert.equal(analysis.error?.column, 24);
});

test('a top-level return is a syntax error (it would skip the returned declarations)', () => {
  assert.equal(analyzeCell(codeCell('js', 'const a = 1;\nreturn a;')).error?.line, 2);
});

test('analyzeCells keeps order and isolates errors', () => {
  const results = analyzeCells([
    codeCell('js', 'const a = b;'),
    codeCell('ts', 'const = ;'),
    proseCell('${a}'),
  ]);
  assert.deepEqual(results[0], { declarations: ['a'], references: ['b'] });
  assert.ok(results[1]?.error);
  assert.deepEqual(results[2]?.references, ['a']);
});

test('the same TS source analyses the same twice (cached transpile)', () => {
  const cell = codeCell('ts', 'const x: number = y;');
  assert.deepEqual(analyzeCell(cell), analyzeCell(cell));
  const bad = codeCell('ts', 'const = ;');
  assert.deepEqual(analyzeCell(bad), analyzeCell(bad));
});

test('VLQ decoding', () => {
  assert.deepEqual(decodeVlq('AAAA'), [0, 0, 0, 0]);
  assert.deepEqual(decodeVlq('AACA'), [0, 0, 1, 0]);
  assert.deepEqual(decodeVlq('D'), [-1]);
  assert.deepEqual(decodeVlq('gB'), [16]);
  assert.deepEqual(decodeVlq('2HwRA'), [123, 280, 0]);
});

test('line map: first segment per line, unmapped lines inherit', () => {
  // Line 1 -> source line 3 (delta 2), line 2 unmapped, line 3 -> source line 4 (delta 1).
  assert.deepEqual(lineMapFromMappings('AAEA;;AACA', 3), [3, 3, 4]);
  assert.deepEqual(lineMapFromMappings('', 2), [1, 1]);
});
