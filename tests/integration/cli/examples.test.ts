/**
 * The example notebooks (examples/*.nb.md) run end to end through the real CLI, from the repo
 * workspace (they read the datasets in ../node_modules/vega-datasets).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot, runCli } from './helpers.js';

const examples = readdirSync(join(repoRoot, 'examples'))
  .filter((name) => name.endsWith('.nb.md'))
  .sort();
const outRoot = mkdtempSync(join(tmpdir(), 'quire-examples-'));
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
  });
});
