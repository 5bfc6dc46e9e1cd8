/**
 * Access is decided in one place, the gate (src/server/gate.ts, from access.ts): no route handler
 * calls `authorize` itself. A listing may narrow its items with the gate's `c.var.may`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROUTES = join(import.meta.dirname, '../../../src/server/routes');

test('no route handler authorizes on its own', () => {
  const files = readdirSync(ROUTES).filter((name) => name.endsWith('.ts'));
  assert.ok(files.length >= 5);
  for (const name of files) {
    const text = readFileSync(join(ROUTES, name), 'utf8');
    assert.doesNotMatch(text, /\bauthorize\s*\(|\.authorize\b/, `${name} calls authorize`);
    assert.doesNotMatch(text, /from '\.\.\/app\.js'/, `${name} imports app.ts (the import circle)`);
  }
});
