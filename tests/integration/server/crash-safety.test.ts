/**
 * The server killed mid-save leaves the old or the new file, never a torn one (issue 3). A real
 * child process saves a large notebook in a loop and is SIGKILLed at a random moment, 20 times.
 * After each kill the file parses and equals one of the two full texts; temp files left by the
 * dead writer are removed by the next save.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseNotebook } from '../../../src/format/index.js';
import { WorkspaceFiles } from '../../../src/server/workspace-files.js';
import { makeWorkspace, removeWorkspace, sleep } from './helpers.js';

const LOOP = fileURLToPath(new URL('./fixtures/save-loop.ts', import.meta.url));
const KILLS = 20;

/** A ~2 MB notebook of many cells; `variant` changes every cell so a torn mix is detectable. */
function bigNotebook(variant: string): string {
  const cells: string[] = [`---\ntitle: Big ${variant}\n---\n`];
  for (let i = 0; i < 4000; i++) {
    cells.push(
      `## Section ${i} (${variant})\n\n\`\`\`ts name=c${i}\nconst v${i} = '${variant.repeat(400)}';\n\`\`\`\n`,
    );
  }
  return cells.join('\n');
}

/** Spawns the writer, waits until it is saving plus a random delay, and SIGKILLs it. */
async function killMidSave(args: string[], maxDelayMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', LOOP, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => resolve());
    child.on('exit', () => reject(new Error(`the writer exited before saving: ${stderr}`)));
  });
  await sleep(Math.random() * maxDelayMs);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', `the writer died by SIGKILL, not on its own: ${stderr}`);
}

test(
  'a writer SIGKILLed mid-save leaves the old or the new text, never a torn one',
  { timeout: 180_000 },
  async () => {
    const a = bigNotebook('a');
    const b = bigNotebook('b');
    const ws = makeWorkspace({ 'big.nb.md': a, 'a.txt': a, 'b.txt': b });
    const target = join(ws, 'big.nb.md');
    const temps = (): string[] => readdirSync(ws).filter((name) => name.startsWith('.big.nb.md.tmp-'));
    try {
      let leftTemps = 0;
      const seen = new Set<string>();
      for (let kill = 0; kill < KILLS; kill++) {
        await killMidSave([ws, 'big.nb.md', join(ws, 'a.txt'), join(ws, 'b.txt')], 400);
        const text = readFileSync(target, 'utf8');
        assert.ok(text === a || text === b, `after kill ${kill + 1} the file is torn (${text.length} chars)`);
        assert.doesNotThrow(() => parseNotebook(text));
        seen.add(text === a ? 'a' : 'b');
        leftTemps += temps().length;

        // The next save (any process) removes the dead writer's temp files.
        const files = new WorkspaceFiles(ws);
        const { version } = await files.read('big.nb.md');
        const result = await files.save('big.nb.md', text, version);
        assert.equal(result.ok, true);
        assert.deepEqual(temps(), [], `after kill ${kill + 1} a temp file survived the next save`);
      }
      // Not asserted (timing-dependent), but reported: how often the kill hit a write in progress.
      console.log(
        `crash-safety: ${KILLS} kills, ${leftTemps} left a temp file, final texts seen: ${[...seen].join(',')}`,
      );
    } finally {
      removeWorkspace(ws);
    }
  },
);

test('temp files of live writers are kept', async () => {
  const ws = makeWorkspace({ 'x.nb.md': 'x' });
  try {
    const live = `.x.nb.md.tmp-${process.ppid}-abcdef`;
    writeFileSync(join(ws, live), 'partial');
    const files = new WorkspaceFiles(ws);
    await files.save('x.nb.md', 'y', (await files.read('x.nb.md')).version);
    assert.deepEqual(
      readdirSync(ws).filter((n) => n.includes('.tmp-')),
      [live],
    );
  } finally {
    removeWorkspace(ws);
  }
});
