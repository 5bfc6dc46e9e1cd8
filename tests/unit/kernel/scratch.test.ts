/** Stale kernel scratch folders (their host was SIGKILLed) are removed; live hosts' are kept. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeStaleScratch } from '../../../src/kernel/scratch.js';

test('removeStaleScratch removes the folders of dead hosts only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quire-scratch-test-'));
  try {
    // A pid that surely is gone: a child that already exited.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const dead = join(dir, `quire-kernel-${deadPid}-abc123`);
    const live = join(dir, `quire-kernel-${process.pid}-def456`);
    const other = join(dir, 'quire-kernel-notapid');
    for (const path of [dead, live, other]) mkdirSync(path);
    removeStaleScratch(dir);
    assert.equal(existsSync(dead), false, 'a dead host’s folder is removed');
    assert.equal(existsSync(live), true, 'a live host’s folder is kept');
    assert.equal(existsSync(other), true, 'folders not named by a host pid are left alone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
