/**
 * `quire serve --port 0` as a real process (bin/quire.js runs dist/: `npm run build` first): it
 * prints a login URL that works, runs a cell in a kernel, and SIGTERM stops it and its kernel.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { cliPath } from '../cli/helpers.js';
import { makeWorkspace, removeWorkspace, waitFor } from './helpers.js';

const dir = makeWorkspace({ 'n.nb.md': '```ts name=x\nconst x = 6 * 7;\nx\n```\n' });
chmodSync(dir, 0o755);
after(() => removeWorkspace(dir));

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim())
      .map(Number);
  } catch {
    return [];
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('quire serve prints a working login URL; SIGTERM stops it and its kernel', async () => {
  const child = spawn(process.execPath, [cliPath, 'serve', join(dir), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(() => /Ctrl-C to stop/.test(out), 15_000);
  const loginUrl = /http:\/\/127\.0\.0\.1:\d+\/login\?token=\S+/.exec(out)?.[0];
  assert.ok(loginUrl, out);
  const origin = new URL(loginUrl).origin;
  const login = await fetch(loginUrl, { redirect: 'manual' });
  assert.equal(login.status, 302);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  const socket = new WebSocket(origin.replace('http', 'ws') + '/ws', { headers: { cookie, origin } });
  const received: { type: string; cellId?: string; status?: string }[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'open', requestId: '1', path: 'n.nb.md' }));
  socket.send(JSON.stringify({ type: 'runCell', requestId: '2', cellId: 'x' }));
  await waitFor(() => received.some((n) => n.type === 'cellStatus' && n.status === 'ok'), 20_000);
  const kernels = childrenOf(child.pid!);
  assert.ok(kernels.length > 0, 'a kernel process runs');

  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  await waitFor(() => kernels.every((pid) => !alive(pid)), 10_000);
  socket.terminate();
});
