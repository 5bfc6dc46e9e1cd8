// `quire sweep` through real CLI processes, real kernels and the embedded run store: the grid's
// runs are recorded with their params and metrics under one sweep id, at most --parallel at once;
// a failing combination does not stop the others; bad input runs nothing; a signal stops the sweep;
// with --db the runs go to PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoredRun } from '../../../src/store/types.js';
import { createTestDatabase } from '../../support/pg-database.js';
import {
  childPids,
  isAlive,
  makeWorkspace,
  removeWorkspace,
  runCli,
  waitFor,
  watchingKernels,
} from './helpers.js';

const GRID = `---
title: Grid
params:
  a: { type: integer, default: 1 }
  b: { type: string, default: x, enum: [x, y] }
  c: { type: number, default: 0.5 }
---

\`\`\`ts name=score
metric('score', a * 2);
metric('label_length', b.length + c);
await new Promise((resolve) => setTimeout(resolve, 300));
\`\`\`

\`\`\`ts name=check
if (a === 2 && b === 'y') throw new Error('a=2 b=y is not allowed');
metric('checked', 1);
\`\`\`
`;

const SLEEPER = `---
params:
  ms: { type: integer, default: 0 }
---

\`\`\`ts
metric('ms', ms);
await new Promise((resolve) => setTimeout(resolve, ms));
\`\`\`
`;

let ws: string;
before(() => {
  ws = makeWorkspace({ 'grid.nb.md': GRID, 'sleeper.nb.md': SLEEPER });
});
after(() => removeWorkspace(ws));

async function sweepRuns(sweepId: string): Promise<StoredRun[]> {
  const r = await runCli(['runs', '--sweep', sweepId, '--json'], { cwd: ws });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StoredRun[];
}

async function allRuns(): Promise<StoredRun[]> {
  const r = await runCli(['runs', '--json', '--limit', '10000'], { cwd: ws });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StoredRun[];
}

const sweepIdOf = (stderr: string): string => {
  const match = /^sweep (sweep-\d{8}T\d{6}Z-[0-9a-f]{6}): /m.exec(stderr);
  assert.ok(match, `no sweep id in:\n${stderr}`);
  return match[1]!;
};

/** The most runs whose [startedAt, finishedAt] intervals overlap at one instant. */
function maxOverlap(runs: StoredRun[]): number {
  const edges = runs.flatMap((r) => [
    [r.startedAt!, 1],
    [r.finishedAt!, -1],
  ]);
  edges.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (open += step!));
  return most;
}

describe('quire sweep', () => {
  test('a 3×2 grid, 2 at a time: 6 runs in the store with their params and metrics; one fails', async () => {
    const r = await runCli(['sweep', 'grid.nb.md', '-p', 'a=1,2,3', '-p', 'b=x,y', '--parallel', '2'], {
      cwd: ws,
    });
    assert.equal(r.code, 1, r.stderr);
    const sweepId = sweepIdOf(r.stderr);
    assert.match(r.stderr, /6 runs of grid\.nb\.md \(3 a × 2 b\), 2 at a time/);
    assert.equal(r.stderr.match(/^[✓✗] \[\d\/6\] /gm)?.length, 6, r.stderr);
    assert.match(r.stderr, /^✗ \[\d\/6\] a=2 b=y · error in .* check \(line \d+\): a=2 b=y is not allowed$/m);
    assert.match(r.stderr, /5 ok, 1 failed, 0 timed out/);
    assert.ok(r.stderr.includes(`quire runs --sweep ${sweepId}`));
    // The comparison table, in grid order: one column per param and per metric.
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^RUN\s+a\s+b\s+c\s+checked\s+label_length\s+score\s+STATUS\s+DURATION$/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(/\s+/).slice(1, 3).join(' ')),
      ['1 x', '1 y', '2 x', '2 y', '3 x', '3 y'],
    );

    const runs = await sweepRuns(sweepId);
    assert.equal(runs.length, 6);
    const byParams = new Map(runs.map((run) => [`${run.params.a} ${run.params.b}`, run]));
    for (const a of [1, 2, 3]) {
      for (const b of ['x', 'y']) {
        const run = byParams.get(`${a} ${b}`);
        assert.ok(run, `no run for a=${a} b=${b}`);
        assert.equal(run.trigger, 'sweep');
        assert.equal(run.sweepId, sweepId);
        assert.deepEqual(run.params, { a, b, c: 0.5 });
        const failing = a === 2 && b === 'y';
        assert.equal(run.status, failing ? 'error' : 'ok');
        assert.deepEqual(run.metrics, {
          label_length: 1.5,
          score: a * 2,
          ...(failing ? {} : { checked: 1 }),
        });
        if (failing) assert.match(run.error ?? '', /a=2 b=y is not allowed/);
      }
    }
    assert.equal(maxOverlap(runs), 2, 'two runs at a time, never more');

    const table = await runCli(['runs', '--sweep', sweepId], { cwd: ws });
    assert.match(table.stdout, /^RUN\s+a\s+b\s+c\s+/);
  });

  test('--json prints the sweep id and its runs in grid order; a run past --timeout exits 3', async () => {
    const r = await runCli(['sweep', 'sleeper.nb.md', '-p', 'ms=0,20000', '--timeout', '1s', '--json'], {
      cwd: ws,
    });
    assert.equal(r.code, 3, r.stderr);
    const { sweepId, runs } = JSON.parse(r.stdout) as { sweepId: string; runs: StoredRun[] };
    assert.equal(sweepId, sweepIdOf(r.stderr));
    assert.deepEqual(
      runs.map((run) => [run.params.ms, run.status, run.metrics]),
      [
        [0, 'ok', { ms: 0 }],
        [20000, 'timeout', { ms: 20000 }],
      ],
    );
    const stored = await sweepRuns(sweepId);
    assert.deepEqual(stored.map((run) => run.id).sort(), runs.map((run) => run.id).sort());
  });

  test('bad input exits 2 naming the param and the value, before any run or kernel starts', async () => {
    const before = (await allRuns()).length;
    const cases: [string[], RegExp][] = [
      [['-p', 'a=1,2,x'], /grid\.nb\.md: param "a": expected an integer, got "x"/],
      [['-p', 'a=1', '-p', 'b=x,z'], /param "b": expected one of "x", "y", got "z"/],
      [['-p', 'nope=1'], /unknown param "nope" \(known: a, b, c\)/],
      [['-p', 'a=1', '--parallel', '0'], /--parallel: expected a whole number/],
      [
        [
          '-p',
          `a=${Array.from({ length: 101 }, (_, i) => i).join(',')}`,
          '-p',
          'c=' + Array.from({ length: 100 }, (_, i) => i).join(','),
        ],
        /the grid has 10100 combinations/,
      ],
      [[], /expected at least one -p/],
    ];
    for (const [args, message] of cases) {
      const { result, kernelStarted } = await watchingKernels((env) =>
        runCli(['sweep', 'grid.nb.md', ...args], { cwd: ws, env }),
      );
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(kernelStarted, false, `${args.join(' ')} started a kernel`);
    }
    const missing = await runCli(['sweep', 'missing.nb.md', '-p', 'a=1'], { cwd: ws });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing\.nb\.md: no such file/);
    assert.equal((await allRuns()).length, before, 'no run was created');
  });

  test('SIGINT stops the sweep: running kernels die, running runs are cancelled, the rest never start', async () => {
    let cliPid: number | undefined;
    const sweeping = runCli(['sweep', 'sleeper.nb.md', '-p', 'ms=30000,30001,30002', '--parallel', '2'], {
      cwd: ws,
      onSpawn: (child) => (cliPid = child.pid),
    });
    const kernels = await waitFor(() => {
      const pids = cliPid === undefined ? [] : childPids(cliPid);
      return pids.length >= 2 ? pids : undefined;
    });
    assert.ok(kernels, 'two kernels started');
    // Both runs are recorded as running before the signal (their rows appear once input is good).
    let running: StoredRun[] = [];
    for (let i = 0; i < 100 && running.length < 2; i++) {
      running = (await allRuns()).filter((run) => run.status === 'running' && run.params.ms !== undefined);
    }
    assert.equal(running.length, 2);
    process.kill(cliPid!, 'SIGINT');
    const r = await sweeping;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /stopped by SIGINT/);
    // SIGKILL of their process groups is sent as the CLI exits; the kernels die a moment later.
    const gone = await waitFor(() => (kernels.every((pid) => !isAlive(pid)) ? true : undefined), 5000);
    assert.ok(gone, `kernels still alive: ${kernels.filter(isAlive).join(', ')}`);
    const runs = await sweepRuns(sweepIdOf(r.stderr));
    assert.equal(runs.length, 2, 'the third combination never started');
    for (const run of runs) {
      assert.equal(run.status, 'cancelled');
      assert.match(run.error ?? '', /stopped by SIGINT/);
    }
  });
});

describe('quire sweep --db postgres://…', () => {
  test('the runs run in parallel against one shared PostgreSQL store', async () => {
    const database = await createTestDatabase();
    try {
      const r = await runCli(
        [
          'sweep',
          'grid.nb.md',
          '-p',
          'a=1,3',
          '-p',
          'c=0,1',
          '--parallel',
          '4',
          '--db',
          database.url,
          '--json',
        ],
        { cwd: ws },
      );
      assert.equal(r.code, 0, r.stderr);
      const { sweepId } = JSON.parse(r.stdout) as { sweepId: string };
      const listed = await runCli(['runs', '--sweep', sweepId, '--json'], {
        cwd: ws,
        env: { QUIRE_DB: database.url },
      });
      assert.equal(listed.code, 0, listed.stderr);
      const runs = JSON.parse(listed.stdout) as StoredRun[];
      assert.deepEqual(
        runs.map((run) => [run.params.a, run.params.c, run.metrics?.label_length, run.status]).sort(),
        [
          [1, 0, 1, 'ok'],
          [1, 1, 2, 'ok'],
          [3, 0, 1, 'ok'],
          [3, 1, 2, 'ok'],
        ],
      );
    } finally {
      await database.drop();
    }
  });
});
