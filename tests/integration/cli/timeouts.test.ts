/**
 * Time limits of `quire run` (DESIGN §4): a cell's `timeout=`, the front matter's `timeout` and
 * `--timeout` for the whole run; all exit code 3.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cell, makeWorkspace, removeWorkspace, runCli, type CliResult } from './helpers.js';

const CELL_LIMIT = `\`\`\`ts name=base
const base = 10;
\`\`\`

\`\`\`ts name=spin timeout=1s
const spun = 1;
while (true) {}
\`\`\`

\`\`\`ts name=indep
'independent'
\`\`\`

\`\`\`ts name=usesBase
base + 1
\`\`\`

\`\`\`ts name=usesSpin
spun
\`\`\`
`;

const FRONT_LIMIT = `---
timeout: 1s
---

\`\`\`ts name=spin
while (true) {}
\`\`\`

\`\`\`ts name=slowButAllowed timeout=30s
await new Promise((r) => setTimeout(r, 1200));
'own limit wins'
\`\`\`
`;

const RUN_LIMIT = `\`\`\`ts name=first
const first = 1;
\`\`\`

\`\`\`ts name=sleeper
await new Promise((r) => setTimeout(r, 20000));
const slept = 1;
\`\`\`

\`\`\`ts name=later
'later'
\`\`\`
`;

let ws: string;
const results: Record<string, CliResult> = {};
before(async () => {
  ws = makeWorkspace({ 'cell.nb.md': CELL_LIMIT, 'front.nb.md': FRONT_LIMIT, 'run.nb.md': RUN_LIMIT });
  const [c, f, r] = await Promise.all([
    runCli(['run', 'cell.nb.md', '--json'], { cwd: ws }),
    runCli(['run', 'front.nb.md', '--json'], { cwd: ws }),
    runCli(['run', 'run.nb.md', '--json', '--timeout', '2s'], { cwd: ws }),
  ]);
  Object.assign(results, { cell: c, front: f, run: r });
});
after(() => removeWorkspace(ws));

describe('quire run: time limits are exit code 3', () => {
  test('a cell past its timeout= fails as timeout; the engine re-runs what later cells need', () => {
    const r = results.cell!;
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.record?.status, 'timeout');
    const spin = cell(r.record, 'spin');
    assert.equal(spin.status, 'error');
    assert.equal(spin.error?.kind, 'timeout');
    assert.match(spin.error?.message ?? '', /time limit of 1s/);
    assert.deepEqual(cell(r.record, 'indep').outputs, [{ mime: 'text/plain', data: 'independent' }]);
    // `base` lived in the killed kernel: the new kernel only has it because base re-ran.
    assert.equal(cell(r.record, 'usesBase').status, 'ok');
    assert.deepEqual(cell(r.record, 'usesBase').outputs, [{ mime: 'text/plain', data: '11' }]);
    assert.equal(cell(r.record, 'usesSpin').skippedBecause, 'spin');
    assert.match(r.stderr, /cell\.nb\.md: cell "spin" \(line 5\): .*time limit/);
    assert.equal(r.record?.timedOut, undefined, 'the run itself did not pass a limit');
  });

  test("the front matter's timeout limits each cell; a cell's own timeout= wins", () => {
    const r = results.front!;
    assert.equal(r.code, 3, r.stderr);
    const spin = cell(r.record, 'spin');
    assert.equal(spin.error?.kind, 'timeout');
    assert.match(r.stderr, /front\.nb\.md: cell "spin" \(line 5\): .*time limit of 1s/);
    const slow = cell(r.record, 'slowButAllowed');
    assert.equal(slow.status, 'ok');
    assert.deepEqual(slow.outputs, [{ mime: 'text/plain', data: 'own limit wins' }]);
  });

  test('--timeout limits the whole run: the running cell is stopped, the rest skipped', () => {
    const r = results.run!;
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.record?.status, 'timeout');
    assert.deepEqual(r.record?.timedOut, { limitMs: 2000 });
    assert.equal(cell(r.record, 'first').status, 'ok');
    const sleeper = cell(r.record, 'sleeper');
    assert.equal(sleeper.status, 'error');
    assert.equal(sleeper.error?.kind, 'timeout');
    assert.match(sleeper.error?.message ?? '', /run passed its time limit of 2s/);
    const later = cell(r.record, 'later');
    assert.equal(later.status, 'skipped');
    assert.ok(later.skippedBecause, 'a skipped cell says why');
    assert.match(r.stderr, /run\.nb\.md: cell "sleeper" \(line 5\): .*time limit of 2s/);
    assert.match(r.stderr, /run timeout/);
  });
});
