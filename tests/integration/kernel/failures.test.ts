/** A kernel that hangs, exits, runs out of memory or lies is contained: the host reports it and goes on. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WRITE_FRAME, js, run, waitGone, withKernel } from './helpers.js';
import { kernelProcesses } from '../../support/kernel-processes.js';

// Each test kills, crashes or restarts its kernel (or tests start() itself): each has its own.
describe('kernel failures', () => {
  test('an infinite loop is killed at its time limit and a new kernel starts', async () => {
    await withKernel({}, async (kernel) => {
      const pid = kernel.pid!;
      const { result } = await run(kernel, js('while (true) {}'), { timeoutMs: 1000 });
      assert.equal(result.status, 'error');
      assert.equal(result.failure, 'timeout');
      assert.deepEqual(result.error, { name: 'TimeoutError', message: 'cell exceeded its time limit of 1s' });
      // Not alive from the moment it is killed, though its pipes may still be closing.
      assert.equal(kernel.alive, false);
      assert.ok(await waitGone(pid), 'the kernel process is gone');
      const dead = await run(kernel, js('return {};'));
      assert.equal(dead.result.failure, 'crash');
      await kernel.start();
      const again = await run(kernel, js('return {__quire_last: 1};'));
      assert.equal(again.result.status, 'ok');
      assert.notEqual(kernel.pid, pid);
    });
  });

  test('starts asked for at once make one kernel; a shutdown during a start leaves none', async () => {
    await withKernel({ start: false }, async (kernel) => {
      await Promise.all([kernel.start(), kernel.start(), kernel.start()]);
      assert.equal(kernelProcesses().length, 1, JSON.stringify(kernelProcesses()));
      const again = await run(kernel, js('return {__quire_last: 1};'));
      assert.equal(again.result.status, 'ok');
    });
    await withKernel({ start: false }, async (other) => {
      const starting = other.start();
      await other.shutdown();
      await starting.catch(() => undefined);
      assert.equal(other.alive, false);
      // Checked before withKernel's own shutdown, which would hide a kernel this one left.
      assert.deepEqual(kernelProcesses(), [], 'no kernel left behind');
    });
  });

  test('process.exit(3) is a crash of that cell, the host lives on', async () => {
    await withKernel({}, async (kernel) => {
      const { result } = await run(kernel, js('console.log("bye"); process.exit(3);'));
      assert.equal(result.failure, 'crash');
      assert.equal(result.error?.message, 'the kernel exited: the cell called process.exit(3)');
      assert.equal(kernel.alive, false);
      await kernel.start();
      assert.equal((await run(kernel, js('return {};'))).result.status, 'ok');
    });
  });

  test('a kernel killed by a signal says so', async () => {
    await withKernel({}, async (kernel) => {
      const { result } = await run(
        kernel,
        js('process.kill(process.pid, "SIGTERM"); await new Promise(() => {});'),
      );
      assert.equal(result.failure, 'crash');
      assert.equal(result.error?.message, 'the kernel was killed by signal SIGTERM');
      assert.equal(kernel.alive, false);
    });
  });

  test('a memory bomb crashes its kernel with the heap message', async () => {
    await withKernel({ heapMb: 128 }, async (kernel) => {
      const bomb = 'const hoard = []; while (true) hoard.push(new Array(100000).fill(Math.random()));';
      const { result } = await run(kernel, js(bomb), { timeoutMs: 60_000 });
      assert.equal(result.failure, 'crash');
      assert.equal(
        result.error?.message,
        'the kernel ran out of memory (limit 4096 MB; the JavaScript heap reached its 128 MB)',
      );
      assert.equal(kernel.alive, false);
    });
  });

  test('a malformed notification from a hostile cell is a kernel fault, not a host crash', async () => {
    await withKernel({}, async (kernel) => {
      const code = `${WRITE_FRAME}\nwriteFrame({ type: "cellFinished", execution: 5 }); await new Promise((r) => setTimeout(r, 5000));`;
      const { result } = await run(kernel, js(code), { timeoutMs: 10_000 });
      assert.equal(result.failure, 'crash');
      assert.match(result.error?.message ?? '', /malformed message/);
      const other = await run(kernel, js('return {};'));
      assert.equal(other.result.failure, 'crash');
    });
  });

  test('bytes on the channel that are not a message end the kernel, not the host', async () => {
    await withKernel({}, async (kernel) => {
      const code = [
        'const { writeSync } = await __quire_import("node:fs");',
        'const garbage = Buffer.from([0, 0, 0, 8, 0xff, 0x0f, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]);',
        'writeSync(3, garbage); await new Promise((r) => setTimeout(r, 5000));',
      ].join('\n');
      const { result } = await run(kernel, js(code), { timeoutMs: 10_000 });
      assert.equal(result.failure, 'crash');
      assert.match(result.error?.message ?? '', /bytes that are not a message/);
    });
  });

  test('a kernel that cannot start rejects start() with the reason', async () => {
    // An option the child's node rejects at startup (exit code 9 before any runtime code runs).
    await withKernel({ start: false, env: { NODE_OPTIONS: '--no-such-flag' } }, async (kernel) => {
      await assert.rejects(
        kernel.start(),
        /the kernel failed to start: the kernel exited with code 9[^]*no-such-flag/,
      );
      assert.equal(kernel.alive, false);
    });
  });

  test('shutdown ends the process and a shut-down kernel reports it is not running', async () => {
    await withKernel({}, async (kernel) => {
      const pid = kernel.pid!;
      await kernel.shutdown();
      assert.ok(await waitGone(pid));
      const { result } = await run(kernel, js('return {};'));
      assert.deepEqual(result.error, { name: 'KernelError', message: 'the kernel is not running' });
    });
  });
});
