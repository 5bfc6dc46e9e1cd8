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
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

const args = process.argv.slice(2);
const preflight = args.includes('--preflight');
const flags = args.filter((a) => a.startsWith('--') && a !== '--preflight');
const roots = args.filter((a) => !a.startsWith('--'));
const files = (roots.length ? roots : ['tests']).flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const problems = await missingPrerequisites(files);
if (problems.length) {
  for (const problem of problems) console.error(`tests: ${problem}`);
  process.exit(1);
}
if (preflight) process.exit(0);
const concurrency = process.env.QUIRE_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
