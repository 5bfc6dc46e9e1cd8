/**
 * The layer rule (scripts/layers.mjs) run the way `npm run lint` runs it: the project's ESLint
 * config, in a temporary copy of the checkout's lint setup, on a file that imports upward. The
 * same file with the import pointing down passes, so the failure is the import's direction.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../../support/example-data.js';

const root = mkdtempSync(join(tmpdir(), 'quire-layers-'));
after(() => rmSync(root, { recursive: true, force: true }));

for (const file of ['eslint.config.js', 'scripts/layers.mjs', 'package.json']) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  copyFileSync(join(repoRoot, file), join(root, file));
}
symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');

function write(file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}
write('src/server/app.ts', 'export const app = 1;\n');
write('src/format/types.ts', 'export const format = 1;\n');
write('src/protocol/index.ts', 'export const protocol = 1;\n');

function eslint(file: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [join(repoRoot, 'node_modules/eslint/bin/eslint.js'), file], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

test('an import from the pure core up into the server fails lint, naming both layers', () => {
  write('src/format/reversed.ts', "import { app } from '../server/app.js';\nexport const x = app;\n");
  const { status, output } = eslint('src/format/reversed.ts');
  assert.equal(status, 1, output);
  assert.match(output, /format may not import server \('\.\.\/server\/app\.js'\)/);
  assert.match(output, /quire\/layers/);
});

test('a dynamic import and a type-only import count as imports too', () => {
  write(
    'src/format/dynamic.ts',
    "import type { app } from '../server/app.js';\nexport const load = (): Promise<unknown> => import('../server/app.js');\nexport type A = typeof app;\n",
  );
  const { status, output } = eslint('src/format/dynamic.ts');
  assert.equal(status, 1, output);
  assert.equal(output.match(/format may not import server/g)?.length, 2, output);
});

test('the browser app may import the protocol but not the format', () => {
  write('src/ui/ok.ts', "import { protocol } from '../protocol/index.js';\nexport const x = protocol;\n");
  assert.equal(eslint('src/ui/ok.ts').status, 0);
  write('src/ui/bad.ts', "import { format } from '../format/types.js';\nexport const x = format;\n");
  const { status, output } = eslint('src/ui/bad.ts');
  assert.equal(status, 1, output);
  assert.match(output, /ui may not import format/);
});

test('the same import pointing down passes', () => {
  write('src/server/down.ts', "import { format } from '../format/types.js';\nexport const x = format;\n");
  const { status, output } = eslint('src/server/down.ts');
  assert.equal(status, 0, output);
});
