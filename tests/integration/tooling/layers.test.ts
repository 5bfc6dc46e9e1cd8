/**
 * The layer rule (scripts/layers.mjs) run the way `npm run lint` runs it: the project's ESLint
 * config, in a temporary copy of the checkout's lint setup, on files that import upward, sideways
 * or from an unknown folder. The same imports pointing down pass, so each failure is the import's
 * direction. One ESLint process lints every file (it takes seconds to start).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../../support/example-data.js';

const root = mkdtempSync(join(tmpdir(), 'quire-layers-'));
after(() => rmSync(root, { recursive: true, force: true }));

for (const file of ['eslint.config.js', 'scripts/layers.mjs', 'package.json']) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  copyFileSync(join(repoRoot, file), join(root, file));
}
symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');

const FILES: Record<string, string> = {
  'src/server/app.ts': 'export const app = 1;\n',
  'src/format/types.ts': 'export const format = 1;\n',
  'src/protocol/index.ts': 'export const protocol = 1;\n',
  'src/connectors/kernel/duckdb.ts': 'export const duckdb = 1;\n',
  // the pure core importing the server
  'src/format/reversed.ts': "import { app } from '../server/app.js';\nexport const x = app;\n",
  // the same, as a type-only import and a dynamic import
  'src/format/dynamic.ts':
    "import type { app } from '../server/app.js';\n" +
    "export const load = (): Promise<unknown> => import('../server/app.js');\n" +
    'export type A = typeof app;\n',
  'src/ui/ok.ts': "import { protocol } from '../protocol/index.js';\nexport const x = protocol;\n",
  'src/ui/bad.ts': "import { format } from '../format/types.js';\nexport const x = format;\n",
  // kernel-side connector code is the kernel's only: not the server's, though the server is above
  'src/server/duck.ts':
    "import { duckdb } from '../connectors/kernel/duckdb.js';\nexport const x = duckdb;\n",
  'src/server/down.ts': "import { format } from '../format/types.js';\nexport const x = format;\n",
  'src/newfolder/thing.ts': 'export const thing = 1;\n',
};

interface Result {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}
const results = new Map<string, string[]>();

before(() => {
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  const run = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', 'src'],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(run.status, 1, run.stderr);
  for (const result of JSON.parse(run.stdout) as Result[]) {
    const file = result.filePath.slice(root.length + 1);
    results.set(
      file,
      result.messages.filter((m) => m.ruleId === 'quire/layers').map((m) => m.message),
    );
  }
});

test('an import from the pure core up into the server fails lint, naming both layers', () => {
  assert.deepEqual(results.get('src/format/reversed.ts'), [
    "format may not import server ('../server/app.js'): the layers are in scripts/layers.mjs (DESIGN §5)",
  ]);
});

test('a dynamic import and a type-only import count as imports too', () => {
  assert.equal(results.get('src/format/dynamic.ts')?.length, 2);
});

test('the browser app may import the protocol but not the format', () => {
  assert.deepEqual(results.get('src/ui/ok.ts'), []);
  assert.match(results.get('src/ui/bad.ts')?.[0] ?? '', /^ui may not import format/);
});

test('kernel-side connector code may be imported only by the kernel', () => {
  assert.match(results.get('src/server/duck.ts')?.[0] ?? '', /^server may not import connectors\/kernel/);
});

test('imports pointing down pass; a folder in no layer is reported', () => {
  assert.deepEqual(results.get('src/server/down.ts'), []);
  assert.match(results.get('src/newfolder/thing.ts')?.[0] ?? '', /is in no layer/);
});
