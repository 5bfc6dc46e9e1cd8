import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setCellSource } from '../../../src/format/edit.js';
import { parseNotebook } from '../../../src/format/parse.js';
import { serializeNotebook } from '../../../src/format/serialize.js';

/** 1,000 cells: 500 code cells with prose between. Speed is reported, never asserted (bench/ measures). */
function bigNotebook(): string {
  const parts = ['---', 'title: big', 'params:', '  n: 5', '---'];
  for (let i = 0; i < 500; i++) {
    parts.push(
      `## Step ${i} with \${n * ${i}}`,
      '',
      i % 2 ? '```sql name=q' + i : '```ts',
      `const v${i} = ${i};`,
      '```',
    );
  }
  return parts.join('\n') + '\n';
}

describe('large notebooks', () => {
  it('parses, serializes and edits a 1,000-cell notebook', () => {
    const text = bigNotebook();
    const started = performance.now();
    const { notebook } = parseNotebook(text);
    const parseMs = performance.now() - started;
    assert.equal(notebook.cells.length, 1000);
    assert.equal(serializeNotebook(notebook), text);
    const edited = setCellSource(notebook, 'q499', 'select 1');
    assert.equal(edited.cells.length, 1000);
    console.log(`# 1,000-cell notebook parsed in ${parseMs.toFixed(1)} ms`);
  });
});
