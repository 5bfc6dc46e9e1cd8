/**
 * What a queued run costs beyond its own execution: submit → final record, minus the run's own
 * duration (the runner's clock, kernel start included), on the embedded SQLite store and on
 * PostgreSQL (graphile-worker). Baseline in the same run: the same notebook through
 * `runNotebook` directly, no store, no queue.
 *   node --import tsx bench/queue-overhead.ts      (needs `npm run build`: kernels run dist/)
 * Target: overhead <= 100 ms median on both.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/jobs/clock.js';
import { startJobs } from '../src/jobs/start.js';
import { spawnKernel } from '../src/kernel/factory.js';
import { loadNotebook } from '../src/runner/load.js';
import { runNotebook } from '../src/runner/run.js';
import { EnvSecretSource } from '../src/secrets/source.js';
import { openStore } from '../src/store/open.js';
import { newRunId } from '../src/store/run-store.js';
import type { StoredRun } from '../src/store/types.js';
import { createTestDatabase } from '../tests/support/pg-database.js';

const RUNS = 25;
const SOURCE = '# One cell\n\n```ts\nconst x = 6 * 7;\n```\n';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)] ?? NaN;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-queue-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'package.json'), '{}\n');
  writeFileSync(join(dir, 'one.nb.md'), SOURCE);
  return dir;
}

async function direct(ws: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t = performance.now();
    await runNotebook({
      notebook: await loadNotebook(join(ws, 'one.nb.md')),
      params: {},
      paramSource: 'json',
      secrets: new EnvSecretSource(),
      kernels: spawnKernel,
    });
    if (i >= 2) samples.push(performance.now() - t);
  }
  return samples;
}

async function queued(ws: string, url: string | undefined) {
  const store = await openStore({ workspace: ws, ...(url ? { url } : {}) });
  // The final state arrives through the service's hook: polling the store would take CPU from the run.
  const waiting = new Map<string, (run: StoredRun) => void>();
  const jobs = await startJobs({
    onFinal: (run) => waiting.get(run.id)?.(run),
    store,
    ...(url ? { dbUrl: url } : {}),
    workspace: ws,
    worker: 'bench@local:1',
    concurrency: 1,
    clock: systemClock,
  });
  const total: number[] = [];
  const overhead: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const id = newRunId();
    const final = new Promise<StoredRun>((resolve) => waiting.set(id, resolve));
    const t = performance.now();
    await jobs.service.submit({ id, path: 'one.nb.md', source: SOURCE, trigger: 'api', params: {} });
    const done = await final;
    const elapsed = performance.now() - t;
    if (done.status !== 'ok') throw new Error(`run failed: ${done.error}`);
    if (i >= 2) {
      total.push(elapsed);
      overhead.push(elapsed - (done.durationMs ?? 0));
    }
  }
  await jobs.stop(1000);
  await store.close();
  return { total, overhead };
}

const ws = workspace();
try {
  const base = await direct(ws);
  console.log(
    `direct runNotebook (baseline): median ${median(base).toFixed(1)} ms, p90 ${p90(base).toFixed(1)} ms`,
  );
  const sqlite = await queued(ws, undefined);
  console.log(
    `queued, SQLite (embedded):   submit→final median ${median(sqlite.total).toFixed(1)} ms; overhead beyond the run median ${median(sqlite.overhead).toFixed(1)} ms, p90 ${p90(sqlite.overhead).toFixed(1)} ms; ratio to baseline ${(median(sqlite.total) / median(base)).toFixed(2)}x`,
  );
  const database = await createTestDatabase('quire_bench');
  try {
    const pg = await queued(ws, database.url);
    console.log(
      `queued, PostgreSQL (graphile-worker): submit→final median ${median(pg.total).toFixed(1)} ms; overhead beyond the run median ${median(pg.overhead).toFixed(1)} ms, p90 ${p90(pg.overhead).toFixed(1)} ms; ratio to baseline ${(median(pg.total) / median(base)).toFixed(2)}x`,
    );
  } finally {
    await database.drop();
  }
} finally {
  rmSync(ws, { recursive: true, force: true });
}
