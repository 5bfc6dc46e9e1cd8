/** `quire secrets set`: the one trailing newline `echo` adds is not part of the value; the rest is. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutTrailingNewline } from '../../../src/cli/secrets.js';

test('exactly one trailing \\n or \\r\\n is removed', () => {
  assert.equal(withoutTrailingNewline('sk-1\n'), 'sk-1');
  assert.equal(withoutTrailingNewline('sk-1\r\n'), 'sk-1');
  assert.equal(withoutTrailingNewline('sk-1'), 'sk-1');
  assert.equal(withoutTrailingNewline('pem\n\n'), 'pem\n');
  assert.equal(withoutTrailingNewline('  spaced \n'), '  spaced ');
  assert.equal(withoutTrailingNewline('\n'), '');
});
