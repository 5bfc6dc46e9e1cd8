/**
 * Throughput of scale-out workers: 300 one-cell runs queued on PostgreSQL, drained by 1 worker
 * process, then (on a fresh database) by 3; runs/s and the ratio. Each worker takes one run at a
 * time (`--concurrency 1`), so the ratio shows how the queue spreads runs, not one worker's pool.
 *   node --import tsx bench/queue-throughput.ts [RUNS]     (needs `npm run build`)
 * On this 2-core machine the kernels of 3 workers share 2 cores: the ceiling is ~2x, not 3x.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphileQueue } from '../src/jobs/graphile-queue.js';
import { openStore } from '../src/store/open.js';
import { createTestDatabase } from '../tests/support/pg-database.js';

const RUNS = Number(process.argv[2] ?? 300);
const SOURCE = '# One cell\n\n```ts\nconst x = 6 * 7;\n```\n';
const CLI = join(import.meta.dirname, '..', 'bin', 'quire.js');

async function drain(workers: number): Promise<number> {
  const ws = mkdtempSync(join(tmpdir(), 'quire-bench-tp-'));
  chmodSync(ws, 0o755);
  writeFileSync(join(ws, 'package.json'), '{}\n');
  writeFileSync(join(ws, 'one.nb.md'), SOURCE);
  const database = await createTestDatabase('quire_bench');
  const store = await openStore({ workspace: ws, url: database.url });
  const queue = new GraphileQueue({ connectionString: database.url, store, concurrency: 1 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await store.create({ path: 'one.nb.md', source: SOURCE, trigger: 'submit', params: {} });
      ids.push(run!.id);
      await queue.enqueue(run!.id);
    }
    await queue.stopTaking();
    const t = performance.now();
    const children = Array.from({ length: workers }, () =>
      spawn(process.execPath, [CLI, 'worker', '--db', database.url, '--concurrency', '1'], {
        cwd: ws,
        stdio: 'ignore',
      }),
    );
    for (;;) {
      const left = (await store.count('queued')) + (await store.count('running'));
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t) / 1000;
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
    const failed = RUNS - (await store.count('ok'));
    if (failed > 0) throw new Error(`${failed} runs did not end ok`);
    return RUNS / seconds;
  } finally {
    await store.close();
    await database.drop();
    rmSync(ws, { recursive: true, force: true });
  }
}

const one = await drain(1);
console.log(`1 worker:  ${RUNS} runs, ${one.toFixed(2)} runs/s`);
const three = await drain(3);
console.log(`3 workers: ${RUNS} runs, ${three.toFixed(2)} runs/s = ${(three / one).toFixed(2)}x one worker`);
