// Real DuckDB, real files: without the OS sandbox SQL writes only under scratch; in both modes the
// hidden paths (.quire/, .git/) cannot be read, whichever way a path is spelled; out-of-memory
// names the limit; with the OS sandbox (a real read-only mount, where unshare is available) a
// write into the workspace explains itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDb, type SqlEngine } from '../../../src/connectors/kernel/duckdb.js';

let base: string;
let ws: string;
let scratch: string;
let guarded: SqlEngine;
let sandboxed: SqlEngine;
const cwd = process.cwd();

before(async () => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'quire-duckdb-sandbox-')));
  ws = path.join(base, 'ws');
  scratch = path.join(base, 'scratch');
  const files: Record<string, string> = {
    'notebook.nb.md': '# Orders\n',
    'package.json': '{"name":"w"}\n',
    'notes.csv': 'a,b\n1,2\n',
    'data/orders.csv': 'region,total\nEU,10\nUS,20\n',
    '.git/config': '[core]\n\tbare = false\n',
    '.quire/quire.db': 'run-store-secret\n',
    '.quire/blobs/ab': 'blob-secret\n',
    'dump/schema.sql': "CREATE TABLE x(a INT);\nCOPY (SELECT 1) TO 'notebook.nb.md';\n",
    'dump/load.sql': '',
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ws, name)), { recursive: true });
    fs.writeFileSync(path.join(ws, name), text);
  }
  fs.mkdirSync(scratch);
  fs.symlinkSync(path.join(ws, '.quire'), path.join(ws, 'link'));
  fs.symlinkSync('../.quire/quire.db', path.join(ws, 'data/store.db'));
  fs.symlinkSync('..', path.join(ws, 'data/up'));
  const db = await DuckDBInstance.create(path.join(ws, 'data/ro.duckdb'));
  const conn = await db.connect();
  await conn.run("CREATE TABLE items AS SELECT * FROM (VALUES (1, 'pen'), (2, 'ink')) t(id, name)");
  conn.closeSync();
  db.closeSync();
  process.chdir(ws); // DuckDB resolves relative paths against the process cwd, as in the kernel
  const hidden = [path.join(ws, '.quire'), path.join(ws, '.git')];
  guarded = await openDuckDb({ workspace: ws, scratch, hidden });
  sandboxed = await openDuckDb({ workspace: ws, scratch, hidden, osSandbox: true });
});

after(async () => {
  process.chdir(cwd);
  await guarded.close();
  await sandboxed.close();
  fs.rmSync(base, { recursive: true, force: true });
});

const run = (engine: SqlEngine, sql: string, parameters: unknown[] = []) =>
  engine.execute({ sql, parameters, tables: {} });

async function failure(promise: Promise<unknown>): Promise<Error & { line?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { line?: number };
  }
  return assert.fail('expected the query to fail');
}

/** Every file under `dir` with its content (symlinks as their target), to see that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const stat = fs.lstatSync(p);
      if (stat.isSymbolicLink()) out[p] = `-> ${fs.readlinkSync(p)}`;
      else if (stat.isDirectory()) walk(p);
      else out[p] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

describe('without the OS sandbox, SQL writes only under scratch', () => {
  const refused: [string, unknown[]?][] = [
    ["COPY (SELECT 1) TO 'notebook.nb.md'"],
    ["COPY (SELECT 1) TO '{ws}/package.json' (FORMAT csv)"],
    ["COPY (SELECT 1) TO '.git/config'"],
    ["COPY (SELECT 1) TO /* '{scratch}/x.csv' */ 'notebook.nb.md'"],
    ["COPY (SELECT '{scratch}/x.csv') TO 'notebook.nb.md' -- TO '{scratch}/x.csv'"],
    ["COPY (SELECT 1) TO ('note' || 'book.nb.md')"],
    ['COPY (SELECT 1) TO $1', ['notebook.nb.md']],
    ["COPY (SELECT 1) TO (scratch('../ws/notebook.nb.md'))"],
    ["COPY (SELECT 1) TO '{scratch}/'\n'../ws/notebook.nb.md'"],
    ["COPY (SELECT 1) TO E'{scratch}/\\x2e./ws/notebook.nb.md'"],
    [
      "COPY (SELECT 1 AS a) TO (scratch('out')) (FORMAT csv, PER_THREAD_OUTPUT, FILENAME_PATTERN '../../ws/x_{i}')",
    ],
    ["COPY (SELECT 1) TO 'new.csv'"],
    ["EXPORT DATABASE 'exported'"],
    ["EXPORT DATABASE (scratch('../ws/exported'))"],
    ["ATTACH 'new.duckdb' AS n"],
    ["ATTACH 'data/ro.duckdb' AS rw"],
    ["EXPLAIN ANALYZE COPY (SELECT 1) TO 'notebook.nb.md'"],
    ["PREPARE p AS COPY (SELECT 1) TO 'notebook.nb.md'"],
    ["CALL enable_logging(storage='file', storage_path='logs')"],
    ["SELECT * FROM enable_profiling(save_location='notebook.nb.md', format='json')"],
    ["SELECT * FROM query('SELECT 1')"],
    ["IMPORT DATABASE 'dump'"],
    ["SELECT 1;\n\nCOPY (SELECT 1) TO 'notebook.nb.md'"],
  ];
  for (const [template, parameters] of refused) {
    test(`refused: ${template}`, async () => {
      const sql = template.replaceAll('{ws}', ws).replaceAll('{scratch}', scratch);
      const before = snapshot(ws);
      const error = await failure(run(guarded, sql, parameters));
      assert.match(
        error.message,
        /scratch folder|not allowed in SQL cells|plain '…' string|without \/|READ_ONLY|continued/,
      );
      assert.deepEqual(snapshot(ws), before);
      if (sql.startsWith('SELECT 1;')) assert.equal(error.line, 3);
      // A later query still runs normally (nothing was left half-configured).
      assert.deepEqual((await run(guarded, 'SELECT 42 AS v')).rows, [{ v: 42 }]);
    });
  }

  test('COPY TO scratch, by expression, path or parameter, and read back', async () => {
    await run(guarded, "COPY (SELECT * FROM read_csv('data/orders.csv')) TO (scratch('orders.parquet'))");
    await run(guarded, `COPY (SELECT 1 AS a) TO '${scratch}/abs.csv'`);
    await run(guarded, 'COPY (SELECT $2 AS a) TO $1 (HEADER)', [path.join(scratch, 'param.csv'), 'x']);
    const t = await run(guarded, "SELECT sum(total) AS s FROM read_parquet(scratch('orders.parquet'))");
    assert.deepEqual(t.rows, [{ s: 30 }]);
    assert.equal(fs.readFileSync(path.join(scratch, 'param.csv'), 'utf8'), 'a\nx\n');
    assert.ok(fs.existsSync(path.join(scratch, 'abs.csv')));
  });

  test('partitioned COPY, EXPORT DATABASE, a read-write ATTACH and COPY FROM DATABASE in scratch', async () => {
    await run(
      guarded,
      "COPY (SELECT 'EU' AS r, 1 AS v) TO (scratch('parts')) (FORMAT parquet, PARTITION_BY (r))",
    );
    assert.ok(fs.existsSync(path.join(scratch, 'parts/r=EU')));
    await run(guarded, "EXPORT DATABASE (scratch('export')) (FORMAT parquet)");
    assert.ok(fs.existsSync(path.join(scratch, 'export/schema.sql')));
    const t = await run(
      guarded,
      "ATTACH (scratch('own.duckdb')) AS own; CREATE TABLE own.t AS SELECT 7 AS v; SELECT v FROM own.t",
    );
    assert.deepEqual(t.rows, [{ v: 7 }]);
    const copied = await run(
      guarded,
      "CREATE TABLE mem_t AS SELECT 8 AS v; ATTACH (scratch('copy.duckdb')) AS cp; COPY FROM DATABASE memory TO cp; SELECT v FROM cp.mem_t",
    );
    assert.deepEqual(copied.rows, [{ v: 8 }]);
    await run(guarded, 'DETACH own; DETACH cp; DROP TABLE mem_t');
  });

  test('reading stays allowed: COPY FROM, a read-only ATTACH, EXPLAIN ANALYZE, a column named query', async () => {
    const t = await run(
      guarded,
      "CREATE TEMP TABLE o (region VARCHAR, total INT); COPY o FROM 'data/orders.csv' (HEADER); SELECT count(*) AS n FROM o",
    );
    assert.deepEqual(t.rows, [{ n: 2 }]);
    const items = await run(
      guarded,
      "ATTACH 'data/ro.duckdb' AS ro (READ_ONLY); SELECT name FROM ro.items ORDER BY id",
    );
    assert.deepEqual(items.rows, [{ name: 'pen' }, { name: 'ink' }]);
    await failure(run(guarded, "INSERT INTO ro.items VALUES (3, 'cap')"));
    await run(guarded, 'DETACH ro');
    const plan = await run(guarded, "EXPLAIN ANALYZE SELECT count(*) FROM read_csv('data/*.csv')");
    assert.equal(plan.numRows, 1);
    assert.deepEqual((await run(guarded, "SELECT 'x' AS query")).rows, [{ query: 'x' }]);
  });
});

describe('with the OS sandbox, DuckDB runs writes as written', () => {
  test('the OS is what refuses them (here, without one, the write happens)', async () => {
    await run(sandboxed, "COPY (SELECT 1 AS a) TO 'data/written-by-sandboxed.csv'");
    assert.ok(fs.existsSync(path.join(ws, 'data/written-by-sandboxed.csv')));
    fs.rmSync(path.join(ws, 'data/written-by-sandboxed.csv'));
  });

  test('EXPORT DATABASE and ATTACH accept the same (scratch(…)) targets as without it', async () => {
    await run(sandboxed, "EXPORT DATABASE (scratch('export-sandboxed'))");
    assert.ok(fs.existsSync(path.join(scratch, 'export-sandboxed/schema.sql')));
    await run(sandboxed, "ATTACH (scratch('sandboxed.duckdb')) AS sb; DETACH sb");
  });

  const unshare = spawnSync('unshare', ['-rm', 'true']).status === 0;
  test('a write into a read-only workspace says where to write instead', { skip: !unshare }, () => {
    const script = path.join(base, 'readonly.mts');
    const duckdb = path.join(cwd, 'src/connectors/kernel/duckdb.ts');
    fs.writeFileSync(
      script,
      `import { openDuckDb } from ${JSON.stringify(duckdb)};
process.chdir(${JSON.stringify(ws)});
const engine = await openDuckDb({ workspace: ${JSON.stringify(ws)}, scratch: ${JSON.stringify(scratch)}, osSandbox: true });
try { await engine.execute({ sql: "COPY (SELECT 1) TO 'notebook.nb.md'", parameters: [], tables: {} }); }
catch (error) { console.log(JSON.stringify(error.message)); }
await engine.close();`,
    );
    const mount = `mount --bind '${ws}' '${ws}' && mount -o remount,bind,ro '${ws}' && exec '${process.execPath}' --import tsx '${script}'`;
    const child = spawnSync('unshare', ['-rm', 'sh', '-c', mount], { cwd, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const message = JSON.parse(child.stdout.trim()) as string;
    assert.match(message, /Read-only file system/);
    assert.match(message, /The workspace is read-only for SQL cells: write under the scratch folder/);
    assert.equal(fs.readFileSync(path.join(ws, 'notebook.nb.md'), 'utf8'), '# Orders\n');
  });
});

describe('hidden paths cannot be read, in both modes', () => {
  const attempts = [
    "SELECT content FROM read_text('.quire/quire.db')",
    "SELECT content FROM read_blob('.quire/blobs/ab')",
    "SELECT * FROM glob('.quire/*')",
    "SELECT * FROM read_csv('.git/config')",
    "SELECT content FROM read_text('data/../.quire/quire.db')",
    "SELECT content FROM read_text('{ws}/.quire/quire.db')",
    "SELECT content FROM read_text('link/quire.db')",
    "SELECT content FROM read_text('data/store.db')",
    "SELECT content FROM read_text('data/up/.quire/quire.db')",
    "SELECT * FROM glob('*/quire.db')",
    "ATTACH '.quire/quire.db' AS store (READ_ONLY)",
  ];
  for (const [mode, engine] of [
    ['guarded', () => guarded],
    ['sandboxed', () => sandboxed],
  ] as const) {
    for (const template of attempts) {
      test(`${mode}: ${template}`, async () => {
        const error = await failure(run(engine(), template.replaceAll('{ws}', ws)));
        assert.match(error.message, /Permission Error/);
        assert.doesNotMatch(error.message, /secret/);
      });
    }

    test(`${mode}: the rest of the workspace reads as before`, async () => {
      assert.deepEqual((await run(engine(), "SELECT count(*) AS n FROM read_csv('data/orders.csv')")).rows, [
        { n: 2 },
      ]);
      assert.deepEqual((await run(engine(), "SELECT count(*) AS n FROM glob('data/*.csv')")).rows, [
        { n: 1 },
      ]);
      assert.deepEqual((await run(engine(), "SELECT b FROM read_csv('notes.csv')")).rows, [{ b: 2 }]);
      assert.deepEqual(
        (await run(engine(), `SELECT count(*) AS n FROM read_csv('${ws}/data/orders.csv')`)).rows,
        [{ n: 2 }],
      );
    });
  }

  test('the error says why: hidden, a pattern at the root, a file created at the root later', async () => {
    assert.match(
      (await failure(run(guarded, "SELECT * FROM read_text('.git/config')"))).message,
      /\.git\/ is hidden/,
    );
    assert.match(
      (await failure(run(guarded, "SELECT * FROM read_csv('*.csv')"))).message,
      /pattern directly at the workspace root/,
    );
    fs.writeFileSync(path.join(ws, 'later.csv'), 'a\n1\n');
    const error = await failure(run(guarded, "SELECT * FROM read_csv('later.csv')"));
    assert.match(error.message, /created at the workspace root after the kernel started/);
    fs.rmSync(path.join(ws, 'later.csv'));
  });
});

describe('memory', () => {
  test('a query past memory_limit fails with the limit named, and the engine goes on', async () => {
    const small = await openDuckDb({ workspace: ws, scratch, memoryMb: 64 });
    try {
      const error = await failure(run(small, "SELECT string_agg(i::VARCHAR, ',') FROM range(20000000) t(i)"));
      assert.match(error.message, /^out of memory \(DuckDB limit 64 MiB\): Out of Memory Error/);
      assert.equal(error.line, 1);
      const limit = await run(
        small,
        "SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t",
      );
      assert.deepEqual(limit.rows, [{ m: '64.0 MiB', t: 1 }]);
      assert.match((await failure(run(small, "SET memory_limit='8GiB'"))).message, /locked/);
    } finally {
      await small.close();
    }
  });
});
