/**
 * Golden files for the notebook parser: tests/golden/format/input/*.nb.md -> output/*.json (the
 * parse result, or the parse error, as pretty JSON). A mismatch writes `<expected>.changed` beside
 * the expected file and fails; UPDATE_GOLDEN=1 rewrites the expected files (never in CI).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareGolden } from './compare.js';
import { NotebookParseError } from '../../src/format/errors.js';
import { parseNotebook } from '../../src/format/parse.js';
import { serializeNotebook } from '../../src/format/serialize.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), 'format');
const inputs = readdirSync(join(root, 'input'))
  .filter((f) => f.endsWith('.nb.md'))
  .sort();

function render(name: string, text: string): string {
  try {
    const result = parseNotebook(text, { path: name });
    assert.equal(serializeNotebook(result.notebook), text, 'parse -> serialize must be byte-identical');
    return JSON.stringify(result, null, 2) + '\n';
  } catch (err) {
    if (!(err instanceof NotebookParseError)) throw err;
    return (
      JSON.stringify({ error: { message: err.message, line: err.line, column: err.column } }, null, 2) + '\n'
    );
  }
}

describe('format golden files', () => {
  it('has inputs', () => assert.ok(inputs.length >= 8));
  for (const name of inputs) {
    it(name, () => {
      const actual = render(name, readFileSync(join(root, 'input', name), 'utf8'));
      const expectedPath = join(root, 'output', name.replace(/\.nb\.md$/, '.json'));
      compareGolden(name, expectedPath, actual);
    });
  }
});
