// The migration list itself: versions 1, 2, 3… in order with unique names, so that two branches
// that each added "the next" migration cannot both land unnoticed (the runner applies the list in
// order and records each version once).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIGRATIONS } from '../../../src/store/migrations.js';

test('migrations are numbered 1, 2, 3… in order, each with its own name', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
  assert.equal(new Set(MIGRATIONS.map((m) => m.name)).size, MIGRATIONS.length);
});
