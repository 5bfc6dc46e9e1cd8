/**
 * The language table (src/protocol/languages.ts) is what the parser, the analysis, the protocol
 * and the records read: each fence word opens its language, each code language goes through its
 * compiler, the protocol accepts exactly the table's names, and records store its export name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeCell } from '../../../src/analysis/index.js';
import { parseNotebook } from '../../../src/format/index.js';
import {
  CELL_LANGUAGE_NAMES,
  CELL_LANGUAGES,
  CODE_LANGUAGES,
  ClientCommand,
  languageOfFence,
  SnapshotCell,
} from '../../../src/protocol/index.js';

test('every fence word of the table opens a code cell of its language; other words are prose', () => {
  for (const language of CODE_LANGUAGES) {
    for (const fence of CELL_LANGUAGES[language].fences) {
      const { notebook } = parseNotebook('```' + fence + '\nconst a = 1;\n```\n');
      const cell = notebook.cells.find((c) => c.kind === 'code');
      assert.equal(cell?.kind === 'code' && cell.language, language, fence);
      assert.equal(languageOfFence(fence), language);
    }
  }
  const { notebook } = parseNotebook('```python\nx = 1\n```\n');
  assert.deepEqual(
    notebook.cells.map((c) => c.kind),
    ['prose'],
  );
  assert.equal(languageOfFence('python'), undefined);
  assert.equal(languageOfFence('toString'), undefined);
});

test('prose is a language of the table but not a code language', () => {
  assert.ok(CELL_LANGUAGE_NAMES.includes('prose'));
  assert.ok(!(CODE_LANGUAGES as readonly string[]).includes('prose'));
  assert.deepEqual(CODE_LANGUAGES, ['ts', 'js', 'sql']);
});

const SAMPLE = { js: 'const a = 1;', sql: 'select 1 as a' } as const;

test("each code language is analysed by its table entry's compiler", () => {
  for (const language of CODE_LANGUAGES) {
    const { compiler, nameDeclares } = CELL_LANGUAGES[language];
    assert.ok(compiler === 'js' || compiler === 'sql', language);
    const fence = CELL_LANGUAGES[language].fences[0];
    const text = '```' + fence + (nameDeclares ? ' name=result' : '') + '\n' + SAMPLE[compiler] + '\n```\n';
    const cell = parseNotebook(text).notebook.cells.find((c) => c.kind === 'code');
    assert.ok(cell);
    const analysis = analyzeCell(cell);
    assert.equal(analysis.error, undefined, language);
    assert.deepEqual(analysis.declarations, nameDeclares ? ['result'] : ['a'], language);
  }
});

test('the protocol accepts exactly the languages of the table', () => {
  for (const language of CELL_LANGUAGE_NAMES) {
    const parsed = ClientCommand.safeParse({
      type: 'insertCell',
      requestId: 'r',
      index: 0,
      language,
      source: '',
    });
    assert.ok(parsed.success, language);
  }
  assert.equal(
    ClientCommand.safeParse({ type: 'insertCell', requestId: 'r', index: 0, language: 'python', source: '' })
      .success,
    false,
  );
  const cell = { id: 'a', kind: 'code', source: '', status: 'idle', outputs: [] };
  for (const language of CODE_LANGUAGES) assert.ok(SnapshotCell.safeParse({ ...cell, language }).success);
  assert.equal(SnapshotCell.safeParse({ ...cell, language: 'prose' }).success, false);
});
