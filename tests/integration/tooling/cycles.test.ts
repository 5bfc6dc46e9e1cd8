/**
 * scripts/check-cycles.mjs (run by `npm run lint`) on a made-up tree: a circle of three files,
 * through a type-only import and a dynamic one, fails and is printed in order; the tree without
 * the closing import passes. And the checkout itself has no circle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../../support/example-data.js';

const root = mkdtempSync(join(tmpdir(), 'quire-cycles-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

function check(dir: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts/check-cycles.mjs'), dir], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { status: run.status, stderr: run.stderr };
}

test('a made-up circle fails the check and is printed as a path', () => {
  write('src/a/one.ts', "import { two } from '../b/two.js';\nexport const one = two;\n");
  write('src/b/two.ts', "import type { Three } from './three.js';\nexport const two: Three = 2;\n");
  // a comment or a string that looks like an import is not one
  write(
    'src/b/three.ts',
    "// import '../a/one.js'\nconst text = \"import '../a/one.js'\";\nexport type Three = number;\nexport const load = () => import('../a/one.js');\nexport { text };\n",
  );
  const { status, stderr } = check(root);
  assert.equal(status, 1, stderr);
  assert.match(
    stderr,
    /import circle \(3 files\): src\/a\/one\.ts -> src\/b\/two\.ts -> src\/b\/three\.ts -> src\/a\/one\.ts/,
  );
});

test('without the closing import the tree passes', () => {
  write('src/b/three.ts', 'export type Three = number;\n');
  const { status, stderr } = check(root);
  assert.equal(status, 0, stderr);
});

test("the checkout's own src/ has no circle", () => {
  const { status, stderr } = check(repoRoot);
  assert.equal(status, 0, stderr);
});
