/** Shared helpers for the format tests. */
import assert from 'node:assert/strict';
import { NotebookParseError } from '../../../src/format/errors.js';
import { parseNotebook } from '../../../src/format/parse.js';

/** Joins lines with `\n` and ends the text with one. */
export function nb(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** Asserts that parsing fails at the given position with a message matching `pattern`. */
export function assertParseError(text: string, line: number, column: number, pattern: RegExp): void {
  assert.throws(
    () => parseNotebook(text, { path: 'x.nb.md' }),
    (err: unknown) => {
      assert.ok(err instanceof NotebookParseError, `expected NotebookParseError, got ${String(err)}`);
      assert.match(err.message, pattern);
      assert.deepEqual({ line: err.line, column: err.column }, { line, column }, err.message);
      assert.equal(err.path, 'x.nb.md');
      return true;
    },
  );
}
