#!/usr/bin/env node
// Runs test files through node's test runner with tsx. Node 20's `--test` does not expand globs,
// so the files are listed here. Usage: node scripts/test.mjs [--preflight] [dir-or-file…]
// (default: tests/).
//
// Before anything runs, the prerequisites of the selected files are checked, in seconds: Chromium
// for tests/e2e, the PostgreSQL server for the files that use it. A missing one stops the run with
// one line saying what to install; without the check the browser tests hung (their server stayed
// open after Chromium failed to start) and the PostgreSQL ones failed one by one, each after its
// own timeout. `--preflight` only checks (for `npm test`, before it spends minutes building).
//
// The unit and golden files run many to a process (see `groups` below); the others one to a process.
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry === 'tmp' || entry.startsWith('.')) continue;
      collect(join(path, entry), out);
    }
  } else if (path.endsWith('.test.ts')) out.push(path);
  return out;
}

/** The same defaults as tests/e2e/helpers.ts and tests/support/pg-database.ts. */
const CHROMIUM = process.env.QUIRE_CHROMIUM || '/usr/bin/chromium';
const PG_ADMIN_URL = process.env.QUIRE_TEST_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const isBrowserTest = (file) => file.split(/[\\/]/).includes('e2e');
const usesOsSandbox = (file) => /sandboxSupport\(/.test(readFileSync(file, 'utf8'));

/** Why bubblewrap (the kernel's OS sandbox) cannot be used, or undefined when it starts a sandbox. */
function bubblewrapProblem() {
  const probe = spawnSync(
    'bwrap',
    ['--unshare-all', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', 'true'],
    { encoding: 'utf8', timeout: 20_000 },
  );
  if (probe.error) return probe.error.code === 'ENOENT' ? 'bwrap is not installed' : probe.error.message;
  if (probe.status !== 0)
    return `bwrap cannot make namespaces here: ${(probe.stderr || '').trim().split('\n')[0]}`;
  return undefined;
}
const usesPostgres = (file) => /support\/pg-database|QUIRE_TEST_PG_URL/.test(readFileSync(file, 'utf8'));

/** Why Chromium cannot be used, or undefined when `--version` answers. */
function chromiumProblem() {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch (error) {
    return error.code === 'ENOENT' ? `${CHROMIUM} does not exist` : `${CHROMIUM} is not executable`;
  }
  const probe = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error) return `${CHROMIUM} --version failed: ${probe.error.message}`;
  if (probe.status !== 0)
    return `${CHROMIUM} --version exited ${probe.status ?? probe.signal}: ${(probe.stderr || '').trim().split('\n')[0]}`;
  return undefined;
}

/** Why the PostgreSQL server cannot be used, or undefined when it answers a query. */
async function postgresProblem() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const reason = error.code ?? error.message;
    return `${PG_ADMIN_URL.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')} does not answer (${reason})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One line per missing prerequisite of `files`. */
async function missingPrerequisites(files) {
  const problems = [];
  const browser = files.filter(isBrowserTest);
  const postgres = files.filter(usesPostgres);
  const sandboxed = files.filter(usesOsSandbox);
  const [chromium, database, bubblewrap] = await Promise.all([
    browser.length ? chromiumProblem() : undefined,
    postgres.length ? postgresProblem() : undefined,
    sandboxed.length ? bubblewrapProblem() : undefined,
  ]);
  if (bubblewrap)
    problems.push(
      `bubblewrap is missing (${bubblewrap}), needed by ${sandboxed.length} test file(s) of the kernel's OS ` +
        'sandbox: apt-get install bubblewrap (where it is installed but cannot make namespaces, e.g. an ' +
        'unprivileged container: see docs/security.md)',
    );
  if (chromium)
    problems.push(
      `Chromium is missing (${chromium}), needed by ${browser.length} browser test file(s): ` +
        'apt-get install chromium, or set QUIRE_CHROMIUM to a Chromium binary ' +
        '(or leave them out: node scripts/test.mjs tests/unit tests/golden tests/integration)',
    );
  if (database)
    problems.push(
      `PostgreSQL is missing (${database}), needed by ${postgres.length} test file(s): start PostgreSQL ` +
        'on 127.0.0.1:5432 with trust auth for user postgres (apt-get install postgresql), ' +
        'or set QUIRE_TEST_PG_ADMIN_URL to a superuser URL',
    );
  return problems;
}

/**
 * Unit and golden files share processes: started one to a process, each paid ~1 s for tsx and its
 * imports, more than most of them take to run. A process runs its files through one entry module
 * that imports them all: node:test registers tests at import, so `--test` still reports each test
 * under its own name. Works on Node 20 (`--experimental-test-isolation=none` came in 22.8).
 * Sharing a process means a file leaves no process-wide trace: no root-level `beforeEach` or
 * `afterEach` (they would wrap every test of the process), no global left replaced, no env var
 * left set, no handle left open. A file that must have a process to itself (it watches
 * process-wide events) says so with a line `// test.mjs: own process (why)`; so do integration and
 * browser files, by their folder. Integration and browser files keep one process each (servers,
 * kernels, browsers: more to leave behind).
 */
const ROOT_EACH_HOOK = /^(beforeEach|afterEach)\(/m;
const OWN_PROCESS = /^\/\/ test\.mjs: own process\b/m;
const isUnitOrGolden = (file) => /(^|[\\/])tests[\\/](unit|golden)[\\/]/.test(file);
const sharesProcess = (file) => isUnitOrGolden(file) && !OWN_PROCESS.test(readFileSync(file, 'utf8'));

/**
 * The files to hand to `node --test`, longest first (the runner starts them in this order as slots
 * free up): the unit and golden files that run alone, then the shared files as entry modules
 * (written to a temporary folder, balanced by size), one per slot the files that run alone leave
 * free (at least one: each more process loads the imports again), then the integration and browser
 * files. A single file is passed as it is.
 */
function groups(files, slots) {
  const shared = files.filter(sharesProcess);
  if (shared.length <= 1) return { entries: files, folder: undefined };
  const alone = files.filter((file) => !shared.includes(file));
  const unitAlone = alone.filter(isUnitOrGolden);
  const count = Math.min(Math.max(1, slots - alone.length), shared.length);
  const bins = Array.from({ length: count }, () => ({ size: 0, files: [] }));
  const bySize = shared.map((file) => ({ file, size: statSync(file).size })).sort((a, b) => b.size - a.size);
  for (const { file, size } of bySize) {
    const bin = bins.reduce((least, next) => (next.size < least.size ? next : least));
    bin.size += size;
    bin.files.push(file);
  }
  const folder = mkdtempSync(join(tmpdir(), 'quire-tests-'));
  const entries = bins.map((bin, i) => {
    const entry = join(folder, `unit-and-golden-${i + 1}-of-${bins.length}.mjs`);
    const order = shared.filter((file) => bin.files.includes(file));
    writeFileSync(
      entry,
      order.map((file) => `import ${JSON.stringify(pathToFileURL(resolve(file)).href)};\n`).join(''),
    );
    return entry;
  });
  const rest = alone.filter((file) => !unitAlone.includes(file));
  return { entries: [...unitAlone, ...entries, ...rest], folder };
}

const args = process.argv.slice(2);
const preflight = args.includes('--preflight');
const flags = args.filter((a) => a.startsWith('--') && a !== '--preflight');
const roots = args.filter((a) => !a.startsWith('--'));
const files = (roots.length ? roots : ['tests']).flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const wrappers = files
  .filter(sharesProcess)
  .filter((file) => ROOT_EACH_HOOK.test(readFileSync(file, 'utf8')));
if (wrappers.length) {
  for (const file of wrappers)
    console.error(
      `tests: ${file} has a root-level beforeEach/afterEach, which would wrap every test of the process ` +
        'it shares: move it into a describe, or do it in the tests that need it (t.after)',
    );
  process.exit(1);
}
const problems = await missingPrerequisites(files);
if (problems.length) {
  for (const problem of problems) console.error(`tests: ${problem}`);
  process.exit(1);
}
if (preflight) process.exit(0);
const concurrency = process.env.QUIRE_TEST_CONCURRENCY ?? '2';
const { entries, folder } = groups(files, Number.parseInt(concurrency, 10) || 1);
try {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...flags, ...entries],
    { stdio: 'inherit' },
  );
  process.exitCode = result.status ?? 1;
} finally {
  if (folder) rmSync(folder, { recursive: true, force: true });
}
