/**
 * The example notebooks (examples/*.nb.md) run end to end through the real CLI, typed as the
 * README says (`quire run examples/x.nb.md` from the checkout). examples/ is their workspace (it
 * holds quire.config.json): they read examples/data/, and their runs go to examples/.quire, the
 * store `quire serve examples` shows (tests/integration/server/examples.test.ts runs them there).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureExampleData } from '../../support/example-data.js';
import { repoRoot, runCli } from './helpers.js';

const examples = readdirSync(join(repoRoot, 'examples'))
  .filter((name) => name.endsWith('.nb.md'))
  .sort();
const outRoot = mkdtempSync(join(tmpdir(), 'quire-examples-'));
before(ensureExampleData);
after(() => rmSync(outRoot, { recursive: true, force: true }));

describe('quire run: the examples', () => {
  test('there are examples', () => assert.ok(examples.length >= 3, examples.join(', ')));

  test('every example exits 0 with every cell ok and a report with charts', async () => {
    const results = await Promise.all(
      examples.map((name) =>
        runCli(['run', join('examples', name), '--json', '--out', join(outRoot, name)], { cwd: repoRoot }),
      ),
    );
    results.forEach((r, i) => {
      const name = examples[i]!;
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.record?.status, 'ok', name);
      const notOk = r.record?.cells.filter((c) => c.status !== 'ok').map((c) => `${c.id}: ${c.status}`);
      assert.deepEqual(notOk, [], name);
      const html = readFileSync(join(outRoot, name, 'report.html'), 'utf8');
      assert.doesNotMatch(html, /<script[^>]*\ssrc=/i, name);
      if (readFileSync(join(repoRoot, 'examples', name), 'utf8').includes('vegalite('))
        assert.match(html, /<svg[\s>]/, name);
    });
    // Filed in the examples' own store under their path there, as the editor files its runs.
    for (const [i, name] of examples.entries()) {
      const listed = await runCli(['runs', join('examples', name), '--json'], { cwd: repoRoot });
      assert.equal(listed.code, 0, listed.stderr);
      const runs = JSON.parse(listed.stdout) as { id: string; path: string }[];
      const run = runs.find((r) => r.id === results[i]!.record?.id);
      assert.equal(run?.path, name, `${name} in examples/.quire: ${listed.stdout.slice(0, 300)}`);
    }
  });
});
