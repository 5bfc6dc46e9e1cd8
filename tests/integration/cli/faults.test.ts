/**
 * Hostile and heavy notebooks through `quire run` (DESIGN §6): a crash, a memory bomb, a flood of
 * output, a thousand cells, reads outside the workspace, and a CLI killed mid-run.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  cell,
  childPids,
  isAlive,
  makeWorkspace,
  removeWorkspace,
  runCli,
  sleep,
  streamText,
  waitFor,
} from './helpers.js';

const EXIT = `\`\`\`ts name=before
const before = 1;
\`\`\`

\`\`\`ts name=quits
process.exit(3);
\`\`\`

\`\`\`ts name=afterwards
before + 1
\`\`\`
`;

const BOMB = `\`\`\`ts name=before
const before = 1;
\`\`\`

\`\`\`ts name=bomb
const a = [];
while (true) a.push(new Array(1e6).fill(1));
\`\`\`

\`\`\`ts name=afterwards
before + 1
\`\`\`
`;

const FLOOD = `\`\`\`ts name=flood
const s = 'x'.repeat(1e6);
for (let i = 0; i < 100; i++) console.log(s);
\`\`\`

\`\`\`ts name=afterwards
'still here'
\`\`\`
`;

const PASSWD = `\`\`\`ts name=fsRead
import { readFileSync } from 'node:fs';
readFileSync('/etc/passwd', 'utf8');
\`\`\`

\`\`\`sql name=sqlRead
select * from read_csv('/etc/passwd')
\`\`\`

\`\`\`ts name=fine
'fine'
\`\`\`
`;

// A busy loop, not a timer: a kernel that never returns to its event loop cannot notice that its
// IPC channel closed, so only the parent-death signal ends it when its host is SIGKILLed.
const SLEEPER = `\`\`\`ts name=sleeper
const until = Date.now() + 10000;
while (Date.now() < until) {}
\`\`\`
`;

function chain(count: number): string {
  const cells: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = i === 0 ? 'const v0 = 0;' : `const v${i} = v${i - 1} + 1;`;
    cells.push('```ts\n' + body + (i === count - 1 ? `\nv${i}` : '') + '\n```\n');
  }
  return `# A long chain\n\n${cells.join('\n')}`;
}

let ws: string;
before(() => {
  ws = makeWorkspace({
    'exit.nb.md': EXIT,
    'bomb.nb.md': BOMB,
    'flood.nb.md': FLOOD,
    'passwd.nb.md': PASSWD,
    'sleeper.nb.md': SLEEPER,
    'ok.nb.md': '```ts\n1 + 1\n```\n',
    'chain.nb.md': chain(1000),
  });
});
after(() => removeWorkspace(ws));

describe('quire run: faults end one kernel, never the run', () => {
  test('process.exit() in a cell is a crash on that cell; later cells run on a new kernel', async () => {
    const r = await runCli(['run', 'exit.nb.md', '--json'], { cwd: ws });
    assert.equal(r.code, 1, r.stderr);
    const quits = cell(r.record, 'quits');
    assert.equal(quits.status, 'error');
    assert.equal(quits.error?.kind, 'crash');
    assert.match(quits.error?.message ?? '', /process\.exit\(3\)/);
    assert.deepEqual(cell(r.record, 'afterwards').outputs, [{ mime: 'text/plain', data: '2' }]);
    assert.match(r.stderr, /exit\.nb\.md: cell "quits" \(line \d+\): .*process\.exit/);
  });

  test('a memory bomb is a crash of that cell alone (QUIRE_KERNEL_HEAP_MB=256)', async () => {
    const r = await runCli(['run', 'bomb.nb.md', '--json'], {
      cwd: ws,
      env: { QUIRE_KERNEL_HEAP_MB: '256' },
    });
    assert.equal(r.code, 1, r.stderr);
    const bomb = cell(r.record, 'bomb');
    assert.equal(bomb.status, 'error');
    assert.equal(bomb.error?.kind, 'crash');
    assert.match(bomb.error?.message ?? '', /out of memory.*256 MB/);
    assert.equal(cell(r.record, 'afterwards').status, 'ok');
    assert.match(r.stderr, /bomb\.nb\.md: cell "bomb" \(line \d+\): .*out of memory/);
  });

  test('100 MB of output is truncated with a visible marker; the manifest and the CLI stay small', async () => {
    const out = join(ws, 'flood-run');
    const r = await runCli(['run', 'flood.nb.md', '--json', '--out', out], { cwd: ws, measureRss: true });
    assert.equal(r.code, 0, r.stderr);
    const flood = cell(r.record, 'flood');
    assert.equal(flood.status, 'ok');
    assert.match(streamText(flood), /output truncated/);
    assert.ok(streamText(flood, 'stdout').length < 5_000_000);
    assert.ok(statSync(join(out, 'manifest.json')).size < 5 * 1024 * 1024);
    assert.ok(statSync(join(out, 'report.html')).size < 10 * 1024 * 1024);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /output truncated/);
    assert.ok(r.stdout.length < 5 * 1024 * 1024);
    assert.equal(cell(r.record, 'afterwards').status, 'ok');
    assert.ok(r.peakRssBytes && r.peakRssBytes > 0, 'the peak RSS was measured');
    assert.ok(r.peakRssBytes < 400 * 1024 * 1024, `CLI peak RSS ${r.peakRssBytes} bytes`);
  });

  test('a 1,000-cell chain runs to the end', async () => {
    const r = await runCli(['run', 'chain.nb.md', '--json'], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.record?.cells.length, 1000);
    assert.ok(r.record?.cells.every((c) => c.status === 'ok'));
    assert.deepEqual(r.record?.cells.at(-1)?.outputs, [{ mime: 'text/plain', data: '999' }]);
  });

  test('reading /etc/passwd from TS (fs) and from SQL (read_csv) is a permission error', async () => {
    const r = await runCli(['run', 'passwd.nb.md', '--json'], { cwd: ws });
    assert.equal(r.code, 1, r.stderr);
    const fsRead = cell(r.record, 'fsRead');
    assert.equal(fsRead.status, 'error');
    assert.match(fsRead.error?.message ?? '', /ERR_ACCESS_DENIED|restricted|permission/i);
    assert.equal(fsRead.error?.line, 2);
    const sqlRead = cell(r.record, 'sqlRead');
    assert.equal(sqlRead.status, 'error');
    assert.match(sqlRead.error?.message ?? '', /Permission Error|disabled|not allowed/i);
    assert.ok(!JSON.stringify(r.record).includes('root:x:0:0'), 'no line of /etc/passwd leaks');
    assert.equal(cell(r.record, 'fine').status, 'ok');
  });
});

describe('quire run --out: the run directory appears whole or not at all', () => {
  test('kill -9 mid-run leaves no DIR; the next run cleans stale temp folders; a rerun replaces DIR', async () => {
    const out = join(ws, 'runs', 'latest');
    mkdirSync(join(ws, 'runs'), { mode: 0o755 });
    let cliPid: number | undefined;
    const killed = runCli(['run', 'sleeper.nb.md', '--out', out], {
      cwd: ws,
      onSpawn: (child) => (cliPid = child.pid),
    });
    assert.ok(cliPid);
    // Wait until the kernel runs (the CLI has a child), then one more second into the cell.
    const kernels = await waitFor(() => {
      const kids = childPids(cliPid!);
      return kids.length > 0 ? kids : undefined;
    });
    assert.ok(kernels, 'the kernel started');
    await sleep(1000);
    // Only the CLI is killed: its kernel (busy in a cell) must die with it, not linger as an orphan.
    process.kill(cliPid, 'SIGKILL');
    const r = await killed;
    assert.equal(r.signal, 'SIGKILL');
    const gone = await waitFor(() => (kernels.every((pid) => !isAlive(pid)) ? true : undefined), 5000);
    for (const pid of kernels.filter(isAlive)) process.kill(pid, 'SIGKILL');
    assert.ok(gone, 'the kernel died with its host');
    assert.equal(existsSync(out), false, 'no run directory after kill -9');
    assert.deepEqual(
      readdirSync(join(ws, 'runs')).filter((n) => !n.startsWith('.latest.tmp-')),
      [],
      'at most a hidden temp folder',
    );

    // A leftover of a dead writer (as a kill during the final write would leave) is cleaned up.
    const stale = join(ws, 'runs', `.latest.tmp-${cliPid}-deadbeef`);
    mkdirSync(stale);
    writeFileSync(join(stale, 'manifest.json'), '{"torn":');
    const first = await runCli(['run', 'ok.nb.md', '--out', out], { cwd: ws });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(readdirSync(join(ws, 'runs')), ['latest']);
    assert.deepEqual(readdirSync(out).sort(), ['manifest.json', 'report.html']);

    // A rerun into an existing DIR replaces it whole: nothing of the old directory remains.
    writeFileSync(join(out, 'left-over.txt'), 'old');
    const oldId = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { id: string }).id;
    const second = await runCli(['run', 'ok.nb.md', '--out', out], { cwd: ws });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['manifest.json', 'report.html']);
    assert.notEqual(
      (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { id: string }).id,
      oldId,
    );
    assert.deepEqual(readdirSync(join(ws, 'runs')), ['latest']);
  });

  test('SIGTERM stops the run and its kernel, and leaves no DIR', async () => {
    const out = join(ws, 'term-run');
    let cliPid: number | undefined;
    const running = runCli(['run', 'sleeper.nb.md', '--out', out], {
      cwd: ws,
      onSpawn: (c) => (cliPid = c.pid),
    });
    const kernels = await waitFor(() => {
      const kids = childPids(cliPid!);
      return kids.length > 0 ? kids : undefined;
    });
    assert.ok(kernels, 'the kernel started');
    await sleep(500);
    process.kill(cliPid!, 'SIGTERM');
    const r = await running;
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /SIGTERM/);
    assert.ok(
      await waitFor(() => (kernels.every((pid) => !isAlive(pid)) ? true : undefined), 5000),
      'kernel gone',
    );
    assert.equal(existsSync(out), false);
  });
});
