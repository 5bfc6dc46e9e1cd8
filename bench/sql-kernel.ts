/**
 * A group-by over a 10,000,000-row Parquet file through a SQL cell on a warm kernel, against the
 * same query in-process with @duckdb/node-api, measured in the same run. Target: <= 1.15x.
 * Also: RSS of the kernel with DuckDB loaded.
 *   node --import tsx bench/sql-kernel.ts   (needs `npm run build`; generates bench/.data once)
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProcessKernel } from '../src/kernel/host.js';

const RUNS = Number(process.env.RUNS ?? 7);
const data = resolve(import.meta.dirname, '.data');
const parquet = join(data, 'sql-10m.parquet');
const query = `select k, sum(v) as total, count(*) as n from read_parquet('${parquet}') group by k`;

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  await fn(); // warm-up: file cache, DuckDB's first load
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
if (!existsSync(parquet)) {
  mkdirSync(data, { recursive: true });
  console.log('generating the 10M-row Parquet file (once)…');
  await connection.run(
    `copy (select i % 1000 as k, random() as v from range(10000000) t(i)) to '${parquet}' (format parquet)`,
  );
}
const inProcess = await timed(async () => (await connection.runAndReadAll(query)).getRowObjectsJS());

const kernel = new ProcessKernel({ workspace: data });
await kernel.start();
const throughKernel = await timed(async () => {
  const result = await kernel.execute({
    type: 'executeSql',
    cellId: 'groups',
    inputs: [],
    sql: query,
    parameters: [],
    tables: [],
    name: 'groups',
  });
  if (result.status !== 'ok') throw new Error(result.error?.message);
});
const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${kernel.pid}/status`, 'utf8'))?.[1]) / 1024;
await kernel.shutdown();

console.log(`group-by over 10M Parquet rows, median of ${RUNS} (node ${process.version})`);
console.log(`  in-process @duckdb/node-api (baseline)   ${inProcess.toFixed(1).padStart(8)} ms`);
console.log(`  SQL cell on a warm kernel                ${throughKernel.toFixed(1).padStart(8)} ms`);
console.log(
  `  ratio                                    ${(throughKernel / inProcess).toFixed(2)}x   (target <= 1.15x)`,
);
console.log(`  kernel RSS with DuckDB loaded            ${rss.toFixed(1).padStart(8)} MB`);
