/**
 * The kernel's OS sandbox (bubblewrap, src/kernel/sandbox/): what a cell reaches when the host can
 * make namespaces — the workspace read-only with the run store and .git hidden, no network, no
 * other process, a symlink out of the workspace leading nowhere, a memory cap on the whole
 * process, a lower CPU priority. Each test is an attack or a failure that worked before.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ProcessKernel } from '../../../src/kernel/host.js';
import { sandboxSupport } from '../../../src/kernel/sandbox/detect.js';
import { js, kernelPerSuite, run, waitGone, withKernel } from './helpers.js';

/** The pid (in the host's namespace) of the node process running inside a kernel's sandbox. */
function innerProcess(kernel: ProcessKernel): number {
  // The scratch folder's path is in the inner process's arguments (its permission flags).
  const scratch = (kernel as unknown as { scratch: string }).scratch;
  return runtimeProcesses(scratch)[0]!;
}

function runtimeProcesses(scratch: string): number[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('runtime.mjs') && line.includes(scratch))
    .map((line) => Number(line.trim().split(' ')[0]));
}

async function value(kernel: ProcessKernel, code: string): Promise<unknown> {
  const { result, outputs } = await run(kernel, js(code));
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  return JSON.parse(String(outputs[0]?.data)) as unknown;
}

describe('OS sandbox', () => {
  let listener: Server;
  let port = 0;
  // Registered before the kernel's hook, so that it runs first.
  before(async () => {
    assert.equal(
      sandboxSupport().kind,
      'bwrap',
      `the OS sandbox is not available here (${sandboxSupport().reason}): install bubblewrap`,
    );
    // A service on the host's loopback, like PostgreSQL's 5432 on these machines.
    listener = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });
  after(() => listener.close());
  const fixture = kernelPerSuite((workspace) => {
    symlinkSync('/', join(workspace, 'rootlink'));
    symlinkSync('/etc/passwd', join(workspace, 'passwd'));
    return {
      files: { 'notes.txt': 'readable\n', '.quire/quire.db': 'run store\n', '.git/config': '[core]\n' },
    };
  });

  test('a symlink out of the workspace leads nowhere', async () => {
    const read = (path: string) =>
      `const fs = await __quire_import("node:fs"); try { return { __quire_last: JSON.stringify(fs.readFileSync(${JSON.stringify(path)}, "utf8").slice(0, 20)) }; } catch (e) { return { __quire_last: JSON.stringify(e.code) }; }`;
    assert.equal(await value(fixture.kernel, read('rootlink/etc/passwd')), 'ENOENT');
    assert.equal(await value(fixture.kernel, read('passwd')), 'ENOENT');
    assert.equal(await value(fixture.kernel, read('notes.txt')), 'readable\n');
  });

  test('the run store and .git are empty inside, the workspace is read-only', async () => {
    const code = [
      'const fs = await __quire_import("node:fs");',
      'const tryWrite = () => { try { fs.writeFileSync("notes.txt", "overwritten"); return "written"; } catch (e) { return e.code; } };',
      'return { __quire_last: JSON.stringify([fs.readdirSync(".quire"), fs.readdirSync(".git"), tryWrite()]) };',
    ].join('\n');
    assert.deepEqual(await value(fixture.kernel, code), [[], [], 'ERR_ACCESS_DENIED']);
    // DuckDB is native code: the permission model does not bind it, the read-only mount does.
    const copy = await run(fixture.kernel, js("await sql`COPY (select 1 as a) TO 'notes.txt'`; return {};"));
    assert.equal(copy.result.status, 'error');
  });

  test('the workspace config, which may hold a database password, cannot be read inside', async () => {
    const code =
      'const fs = await __quire_import("node:fs"); try { return { __quire_last: JSON.stringify(fs.readFileSync("quire.config.json", "utf8")) }; } catch (e) { return { __quire_last: JSON.stringify(e.code) }; }';
    const seen = await value(fixture.kernel, code);
    assert.ok(seen === '' || seen === 'ENOENT', `read: ${JSON.stringify(seen)}`);
    const sql = await run(
      fixture.kernel,
      js(
        "const t = await sql`select content from read_text('quire.config.json')`; return { __quire_last: JSON.stringify(t.rows) };",
      ),
    );
    assert.doesNotMatch(JSON.stringify(sql.outputs), /hunter2/);
  });

  test("the host's loopback services are out of reach", async () => {
    const code = [
      'const net = await __quire_import("node:net");',
      `const outcome = await new Promise((resolve) => { const s = net.connect(${port}, "127.0.0.1"); s.on("data", (d) => resolve("connected: " + d)); s.on("error", (e) => resolve(e.code)); });`,
      'return { __quire_last: JSON.stringify(outcome) };',
    ].join('\n');
    assert.equal(await value(fixture.kernel, code), 'ECONNREFUSED');
  });

  test('no other process is visible, and the kernel has no capabilities and a lower CPU priority', async () => {
    const code = `let host; try { process.kill(${process.pid}, 0); host = "visible"; } catch (e) { host = e.code; } return { __quire_last: JSON.stringify(host) };`;
    assert.equal(await value(fixture.kernel, code), 'ESRCH');
    // The rest is read from the host's side (a cell cannot read /proc: the permission model).
    const inner = innerProcess(fixture.kernel);
    const status = readFileSync(`/proc/${inner}/status`, 'utf8');
    assert.match(status, /^CapEff:\s+0000000000000000$/m);
    assert.match(status, /^CapPrm:\s+0000000000000000$/m);
    const niceness = Number(readFileSync(`/proc/${inner}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    assert.equal(niceness, 19);
    // A kernel is in a session of its own: its scheduler autogroup must yield too (priority.ts).
    if (existsSync(`/proc/${inner}/autogroup`))
      assert.match(readFileSync(`/proc/${inner}/autogroup`, 'utf8'), /nice 19/);
  });

  test('nothing of a kernel outlives its time limit', async () => {
    await withKernel({ workspace: fixture.workspace }, async (busy) => {
      const scratch = (busy as unknown as { scratch: string }).scratch;
      assert.ok(runtimeProcesses(scratch).length >= 1);
      const pid = busy.pid!;
      const { result } = await run(busy, js('while (true) {}'), { timeoutMs: 1000 });
      assert.equal(result.failure, 'timeout');
      assert.ok(await waitGone(pid));
      // The inner node process has its own pid namespace and session; it must be gone too.
      const deadline = Date.now() + 5000;
      while (runtimeProcesses(scratch).length > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(runtimeProcesses(scratch), []);
    });
  });
});

describe('OS sandbox: limits', () => {
  // Each test crashes its kernel or gives it a memory cap: each has its own.
  test('the whole memory is capped: Buffers past the limit fail with "out of memory"', async () => {
    await withKernel({ memoryMb: 256 }, async (kernel) => {
      // Untouched allocations cost no real memory, so before the cap this "succeeded" at 8 GiB.
      const code =
        'const hoard = []; for (let i = 0; i < 128; i++) hoard.push(Buffer.allocUnsafe(64 * 1024 * 1024)); return { __quire_last: hoard.length };';
      const { result } = await run(kernel, js(code), { timeoutMs: 60_000 });
      assert.equal(result.status, 'error');
      const message = result.error?.message ?? '';
      assert.match(message, /out of memory/);
      assert.match(message, /256 MB/);
    });
  });

  test('WebAssembly works under the memory cap (no guard regions to reserve)', async () => {
    await withKernel({ memoryMb: 256 }, async (kernel) => {
      // (module (memory 1) (func (export "f") (result i32) i32.const 42))
      const bytes = [
        0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 5, 1, 1, 102, 0, 0,
        10, 6, 1, 4, 0, 65, 42, 11,
      ];
      const code = `const { instance } = await WebAssembly.instantiate(new Uint8Array(${JSON.stringify(bytes)})); return { __quire_last: instance.exports.f() };`;
      const { result, outputs } = await run(kernel, js(code));
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.equal(outputs[0]?.data, '42');
    });
  });

  test('process.abort() is reported as a crash, not as out of memory', async () => {
    await withKernel({}, async (kernel) => {
      const { result } = await run(kernel, js('process.abort();'));
      assert.equal(result.failure, 'crash');
      assert.equal(result.error?.message, 'the kernel crashed (it aborted: SIGABRT)');
    });
  });
});

describe('OS sandbox: a root host and a folder only root can read', () => {
  test(
    'the kernel reads it without any setting (it keeps the uid, with no capabilities)',
    { skip: process.getuid?.() !== 0 ? 'the host is not root' : false },
    async () => {
      const onlyRoot = (workspace: string) => {
        chmodSync(workspace, 0o700);
        mkdirSync(join(workspace, 'data'), { mode: 0o700 });
        writeFileSync(join(workspace, 'data/secret.csv'), 'a\n1\n', { mode: 0o600 });
        return {};
      };
      await withKernel(onlyRoot, async (kernel) => {
        const seen = await value(
          kernel,
          'const fs = await __quire_import("node:fs"); const t = await sql`select count(*)::int as n from read_csv(\'data/secret.csv\')`; return { __quire_last: JSON.stringify([fs.readFileSync("data/secret.csv", "utf8"), t.rows[0].n]) };',
        );
        assert.deepEqual(seen, ['a\n1\n', 1]);
      });
    },
  );
});
