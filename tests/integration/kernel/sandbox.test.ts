/** The kernel's sandbox: permission model, scrubbed env, no addons of its own, an unprivileged user. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../../src/kernel/paths.js';
import { assertReadableBy, NOBODY } from '../../../src/kernel/user.js';
import { dataOf, js, kernelPerSuite, run, withKernel } from './helpers.js';

const DUCKDB_ADDON = join(packageRoot(), 'node_modules/@duckdb/node-bindings-linux-x64/duckdb.node');

/**
 * The user switch happens only when the host is root, and `nobody` must be able to read quire's
 * runtime: in a checkout only root can read (a fresh clone under mktemp -d), there is nobody to
 * switch to, and the OS sandbox (os-sandbox.test.ts) is what runs kernels there.
 */
function nobodySkip(): string | false {
  if (process.getuid?.() !== 0) return 'the host is not root: no user to switch from';
  try {
    assertReadableBy(packageRoot(), NOBODY);
    return false;
  } catch {
    return `nobody cannot read ${packageRoot()}: the no-sandbox user switch cannot run from this checkout`;
  }
}

describe('kernel sandbox', () => {
  // Registered before the kernel's hook: the secret is in the host's env when the kernel starts.
  before(() => {
    process.env.FAKE_SECRET = 'hunter2-do-not-leak';
  });
  after(() => {
    delete process.env.FAKE_SECRET;
  });
  const fixture = kernelPerSuite({ files: { 'notes.txt': 'readable\n' }, env: { QUIRE_RUN: 'r1' } });

  async function value(code: string): Promise<unknown> {
    const { result, outputs } = await run(fixture.kernel, js(code));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    return outputs[0]?.data;
  }

  async function failure(code: string): Promise<string> {
    const { result } = await run(fixture.kernel, js(code));
    assert.equal(result.status, 'error', 'expected the cell to fail');
    return `${result.error?.name}: ${result.error?.message}`;
  }

  test('reading /etc/passwd is denied', async () => {
    const message = await failure(
      'const fs = await __quire_import("node:fs"); fs.readFileSync("/etc/passwd", "utf8"); return {};',
    );
    assert.match(message, /ERR_ACCESS_DENIED/);
  });

  test('writing outside the scratch dir is denied, inside it works', async () => {
    assert.match(
      await failure(
        'const fs = await __quire_import("node:fs"); fs.writeFileSync("out.txt", "x"); return {};',
      ),
      /ERR_ACCESS_DENIED/,
    );
    const ok =
      'const fs = await __quire_import("node:fs"); fs.writeFileSync(process.env.HOME + "/a.txt", "x"); return {__quire_last: fs.readFileSync(process.env.HOME + "/a.txt", "utf8")};';
    assert.equal(await value(ok), 'x');
  });

  test('child processes and workers are denied', async () => {
    assert.match(
      await failure('const cp = await __quire_import("node:child_process"); cp.spawn("ls"); return {};'),
      /ERR_ACCESS_DENIED/,
    );
    assert.match(
      await failure('const cp = await __quire_import("node:child_process"); cp.execSync("id"); return {};'),
      /ERR_ACCESS_DENIED/,
    );
    const worker =
      'const { Worker } = await __quire_import("node:worker_threads"); new Worker("1", { eval: true }); return {};';
    assert.match(await failure(worker), /ERR_ACCESS_DENIED/);
  });

  test('the environment holds no host secrets, only the allowlist and options.env', async () => {
    const env = (await value('return {__quire_last: process.env};')) as Record<string, string>;
    assert.equal(env.FAKE_SECRET, undefined);
    assert.ok(!JSON.stringify(env).includes('hunter2'));
    assert.equal(env.QUIRE_RUN, 'r1');
    assert.deepEqual(
      Object.keys(env).filter(
        (k) =>
          // PWD: the OS sandbox names the working directory, as a shell does.
          ![
            'PATH',
            'LANG',
            'LC_ALL',
            'TZ',
            'HOME',
            'TMPDIR',
            'MALLOC_ARENA_MAX',
            'PWD',
            'QUIRE_RUN',
          ].includes(k),
      ),
      [],
    );
  });

  test('user code cannot load a native addon, before or after DuckDB loaded', async () => {
    const load = (path: string) => `process.dlopen({ exports: {} }, ${JSON.stringify(path)}); return {};`;
    assert.match(await failure(load('/tmp/evil.node')), /ERR_DLOPEN_DISABLED/);
    const { result, outputs } = await run(
      fixture.kernel,
      js('const t = await sql`select 41 + ${1} as answer`; return {__quire_last: t.rows[0].answer};'),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(outputs, [{ mime: 'text/plain', data: '42' }]);
    assert.match(await failure(load(DUCKDB_ADDON)), /ERR_DLOPEN_DISABLED/);
    // The module cache hands out the already loaded binding, but it cannot open an unlocked database.
    const own = `const { createRequire } = await __quire_import("node:module"); const { DuckDBInstance } = createRequire(${JSON.stringify(packageRoot() + '/')})("@duckdb/node-api"); await DuckDBInstance.create(":memory:"); return {};`;
    assert.match(await failure(own), /opening a DuckDB database directly \(open\) is disabled/);
    // The guard cannot be replaced (sloppy-mode assignment is silently ignored, strict mode throws).
    assert.match(
      await failure(`process.dlopen = () => {}; ${load('/tmp/evil.node')}`),
      /ERR_DLOPEN_DISABLED/,
    );
    assert.match(await failure('"use strict"; process.dlopen = () => {}; return {};'), /TypeError/);
  });

  test('a DuckDB of its own cannot be opened before the kernel loaded DuckDB either', async () => {
    await withKernel({ workspace: fixture.workspace }, async (fresh) => {
      const code = `const { createRequire } = await __quire_import("node:module"); const { DuckDBInstance } = createRequire(${JSON.stringify(packageRoot() + '/')})("@duckdb/node-api"); await DuckDBInstance.create(":memory:"); return {};`;
      const { result } = await run(fresh, js(code));
      assert.match(result.error?.message ?? '', /opening a DuckDB database directly/);
      const after = await run(fresh, js('return {__quire_last: (await sql`select 1 as one`).numRows};'));
      assert.deepEqual(
        after.outputs,
        [{ mime: 'text/plain', data: '1' }],
        JSON.stringify(after.result.error),
      );
    });
  });

  test('SQL cannot read files outside the workspace', async () => {
    const { result } = await run(fixture.kernel, {
      type: 'executeSql',
      cellId: 's-passwd',
      inputs: [],
      sql: "select * from read_csv('/etc/passwd')",
      parameters: [],
      tables: [],
    });
    assert.equal(result.status, 'error');
  });

  // Without an OS sandbox (os-sandbox.test.ts has the other case), a root host switches its kernels
  // to nobody (DESIGN §6); CI and these machines run as root, so both tests run there. Elsewhere
  // there is no user to switch from.
  test(
    'as root without an OS sandbox, the kernel runs as nobody and can still read the workspace',
    { skip: nobodySkip() },
    async () => {
      await withKernel({ workspace: fixture.workspace, sandbox: 'none' }, async (plain) => {
        const { result, outputs } = await run(
          plain,
          js(
            'const fs = await __quire_import("node:fs"); return {__quire_last: JSON.stringify([process.getuid(), process.getgid(), fs.readFileSync("notes.txt", "utf8")])};',
          ),
        );
        assert.equal(result.status, 'ok', JSON.stringify(result.error));
        assert.deepEqual(JSON.parse(String(outputs[0]?.data)), [65534, 65534, 'readable\n']);
      });
    },
  );

  test(
    'as root without an OS sandbox, a workspace nobody cannot read is refused rather than run as root',
    { skip: nobodySkip() },
    async () => {
      // mkdtemp makes the workspace 0700: nobody cannot read it.
      const closed = mkdtempSync(join(tmpdir(), 'quire-closed-'));
      try {
        await withKernel({ workspace: closed, sandbox: 'none', start: false }, async (kernel) => {
          await assert.rejects(kernel.start(), /not readable by the kernel user nobody/);
        });
        await withKernel({ workspace: closed, user: 'none', sandbox: 'none' }, async (asRoot) => {
          const { outputs } = await run(asRoot, js('return {__quire_last: process.getuid()};'));
          assert.deepEqual(dataOf(outputs, 'text/plain'), ['0']);
        });
      } finally {
        rmSync(closed, { recursive: true, force: true });
      }
    },
  );
});
