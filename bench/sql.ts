// SQL engine benchmark: `node --import tsx bench/sql.ts`. Prints medians and ratios against a
// baseline measured in the same run (raw @duckdb/node-api); nothing here is asserted in tests.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDuckDb } from '../src/connectors/kernel/duckdb.js';
import { readResult } from '../src/connectors/kernel/duckdb-read.js';

const DATA = path.resolve('bench/.data');
const PARQUET = path.join(DATA, 'sql-10m.parquet');
const RUNS = Number(process.env.RUNS ?? 5);

async function median(label: string, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)] as number;
  console.log(`  ${label.padEnd(48)} ${ms.toFixed(1).padStart(9)} ms`);
  return ms;
}

const ratio = (ms: number, base: number) => `${(ms / base).toFixed(2)}x`;

async function ensureParquet(conn: DuckDBConnection): Promise<void> {
  if (fs.existsSync(PARQUET)) return;
  fs.mkdirSync(DATA, { recursive: true });
  console.log('generating 10M-row Parquet (once)…');
  await conn.run(
    `COPY (SELECT i % 1000 AS k, random() AS v FROM range(10000000) t(i)) TO '${PARQUET}' (FORMAT parquet)`,
  );
}

const GROUP_BY = `SELECT k, sum(v), count(*) FROM read_parquet('${PARQUET}') GROUP BY k`;
const WIDE = `SELECT i::BIGINT AS id, random() AS v, 'name_' || (i % 1000) AS s, TIMESTAMP '2024-01-01' + to_seconds(i) AS ts FROM range(1000000) t(i)`;

async function groupBy(conn: DuckDBConnection): Promise<void> {
  console.log('(a,b) group-by over 10M Parquet rows -> 1000 rows');
  const engine = await openDuckDb({
    workspace: DATA,
    scratch: path.join(os.tmpdir(), 'quire-bench-scratch'),
  });
  const base = await median('raw node-api run + getRowObjectsJS', async () =>
    (await conn.run(GROUP_BY)).getRowObjectsJS(),
  );
  const ours = await median('SqlEngine.execute', () =>
    engine.execute({ sql: GROUP_BY, parameters: [], tables: {} }),
  );
  const named = await median('SqlEngine.execute (named: result kept)', () =>
    engine.execute({ sql: GROUP_BY, parameters: [], tables: {}, name: 'g' }),
  );
  console.log(`  ratio execute/raw ${ratio(ours, base)}, named/raw ${ratio(named, base)}`);
  await engine.close();
}

async function readers(conn: DuckDBConnection): Promise<void> {
  console.log('(c) 1M rows x 4 columns (BIGINT, DOUBLE, VARCHAR, TIMESTAMP) into JS');
  const base = await median('getColumnsJS (columns)', async () => (await conn.run(WIDE)).getColumnsJS());
  const obj = await median('getColumnsObjectJS (columns by name)', async () =>
    (await conn.run(WIDE)).getColumnsObjectJS(),
  );
  const rows = await median('getRowObjectsJS (row objects)', async () =>
    (await conn.run(WIDE)).getRowObjectsJS(),
  );
  const arrays = await median('getRowsJS (row arrays)', async () => (await conn.run(WIDE)).getRowsJS());
  const table = await median('QuireTable (readResult, columnar)', async () =>
    readResult(await conn.run(WIDE)),
  );
  const tableRows = await median(
    'QuireTable + first .rows',
    async () => (await readResult(await conn.run(WIDE))).rows,
  );
  console.log(
    `  vs getColumnsJS: object ${ratio(obj, base)}, rowObjects ${ratio(rows, base)}, rows ${ratio(arrays, base)}, ` +
      `QuireTable ${ratio(table, base)}, QuireTable+.rows ${ratio(tableRows, base)}`,
  );
}

async function loading(): Promise<void> {
  const n = 200_000;
  console.log(`(d) loading a JS array of ${n} objects as a table`);
  const people = Array.from({ length: n }, (_, i) => ({
    id: i,
    v: i / 7,
    s: `n${i % 100}`,
    d: new Date(i * 1000),
  }));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-bench-'));
  const engine = await openDuckDb({ workspace: scratch, scratch });
  const appender = await median('appender (SqlEngine tables)', () =>
    engine.execute({ sql: 'SELECT count(*) FROM people', parameters: [], tables: { people } }),
  );
  const file = path.join(scratch, 'people.json');
  const json = await median('JSON file + read_json', async () => {
    fs.writeFileSync(file, JSON.stringify(people));
    await engine.query(`SELECT count(*) FROM read_json('${file}')`, []);
  });
  console.log(`  ratio json/appender ${ratio(json, appender)}`);
  await engine.close();
  fs.rmSync(scratch, { recursive: true, force: true });
}

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
await ensureParquet(conn);
await groupBy(conn);
await readers(conn);
await loading();
conn.closeSync();
instance.closeSync();
