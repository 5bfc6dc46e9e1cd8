// A run's limits (src/runner/limits.ts) and the notebook loader (src/runner/load.ts): one parser
// of time limits, one bound for timers, errors that name the file.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RunInputError } from '../../../src/runner/errors.js';
import { asTimerLimit, heapMbFromEnv, MAX_TIMER_MS, parseTimeLimit } from '../../../src/runner/limits.js';
import { checkParams, loadNotebook, warningLines } from '../../../src/runner/load.js';

describe('time limits', () => {
  it('parseTimeLimit takes a duration more than zero', () => {
    assert.equal(parseTimeLimit('90s'), 90_000);
    assert.equal(parseTimeLimit('1.5h'), 5_400_000);
    assert.throws(() => parseTimeLimit('0s'), /the limit must be more than zero, got "0s"/);
    assert.throws(() => parseTimeLimit('10'), /invalid duration "10"/);
  });

  it('a limit past what a timer can hold is no limit', () => {
    assert.equal(asTimerLimit(undefined), undefined);
    assert.equal(asTimerLimit(MAX_TIMER_MS), MAX_TIMER_MS);
    assert.equal(asTimerLimit(MAX_TIMER_MS + 1), undefined);
  });

  it('QUIRE_KERNEL_HEAP_MB is a whole number of at least 16, else bad input', () => {
    assert.equal(heapMbFromEnv({}), undefined);
    assert.equal(heapMbFromEnv({ QUIRE_KERNEL_HEAP_MB: ' 256 ' }), 256);
    for (const bad of ['8', '1.5', 'lots'])
      assert.throws(() => heapMbFromEnv({ QUIRE_KERNEL_HEAP_MB: bad }), RunInputError);
  });
});

describe('loadNotebook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quire-load-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const front = '---\nparams:\n  n: 3\n---\n\n```ts\nconst x = n;\n```\n';

  it('reads and parses a file; the path as given names it', async () => {
    const file = join(dir, 'ok.nb.md');
    writeFileSync(file, front);
    const loaded = await loadNotebook(file);
    assert.equal(loaded.source, front);
    assert.equal(loaded.displayPath, file);
    assert.equal(loaded.notebook.cells.filter((c) => c.kind === 'code').length, 1);
    assert.deepEqual(checkParams(loaded, { n: '5' }, 'cli'), { n: 5 });
    assert.deepEqual(checkParams(loaded, {}, 'json'), { n: 3 });
  });

  it('takes a given text as the file, which need not exist', async () => {
    const loaded = await loadNotebook(join(dir, 'gone.nb.md'), front);
    assert.equal(loaded.absolutePath, join(dir, 'gone.nb.md'));
    assert.equal(loaded.notebook.cells.filter((c) => c.kind === 'code').length, 1);
  });

  it('every bad input is a RunInputError naming the file', async () => {
    mkdirSync(join(dir, 'folder.nb.md'));
    writeFileSync(join(dir, 'bad.nb.md'), '---\nparams: [\n---\n');
    await assert.rejects(
      loadNotebook(join(dir, 'none.nb.md')),
      new RunInputError(`${join(dir, 'none.nb.md')}: no such file`),
    );
    await assert.rejects(
      loadNotebook(join(dir, 'folder.nb.md')),
      new RunInputError(`${join(dir, 'folder.nb.md')}: is a directory`),
    );
    await assert.rejects(loadNotebook(join(dir, 'bad.nb.md')), (error: Error) => {
      assert.ok(error instanceof RunInputError);
      assert.ok(error.message.startsWith(join(dir, 'bad.nb.md')), error.message);
      return true;
    });
    const loaded = await loadNotebook('n.nb.md', front);
    assert.throws(() => checkParams(loaded, { m: '1' }, 'cli'), /^RunInputError: n\.nb\.md: unknown param/);
  });

  it('warnings are lines that name the file, the line and the column', async () => {
    const loaded = await loadNotebook('w.nb.md', '```ts frobnicate=1\nconst a = 1;\n```\n');
    const lines = warningLines(loaded);
    assert.equal(lines.length, loaded.warnings.length);
    assert.ok(lines.length > 0);
    assert.match(lines[0]!, /^w\.nb\.md:1:\d+: /);
  });
});
