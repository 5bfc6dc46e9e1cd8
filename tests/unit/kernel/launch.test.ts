/** The launch plan (pure): which command starts a kernel, with and without the OS sandbox. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchPlan, type LaunchInput } from '../../../src/kernel/launch.js';

function input(overrides: Partial<LaunchInput> = {}): LaunchInput {
  return {
    entry: '/opt/quire/dist/kernel/runtime.mjs',
    heapMb: 3072,
    node: '/usr/bin/node',
    nodeVersion: '20.20.2',
    runtimePackages: ['/opt/quire/node_modules/@duckdb'],
    config: {
      workspace: '/ws',
      cwd: '/ws/reports',
      scratch: '/tmp/quire-kernel-1-x',
      packageRoot: '/opt/quire',
      outputCapBytes: 1024,
      messageCapBytes: 4096,
      memoryMb: 4096,
      hidden: ['/ws/.quire', '/ws/.git'],
    },
    sandbox: { kind: 'bwrap', bwrap: '/usr/bin/bwrap', prlimit: '/usr/bin/prlimit', nice: '/usr/bin/nice' },
    system: { system: [{ path: '/usr' }, { path: '/lib', symlinkTo: 'usr/lib' }], files: ['/etc/localtime'] },
    ...overrides,
  };
}

const after = (args: string[], flag: string): string[] =>
  args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));

test('nice, then the address-space cap, then bubblewrap, then node', () => {
  const plan = launchPlan(input());
  assert.equal(plan.execPath, '/usr/bin/nice');
  assert.deepEqual(plan.args.slice(0, 5), [
    '-n',
    '19',
    '/usr/bin/prlimit',
    `--as=${(4096 + 1024) * 1024 * 1024}`,
    '--',
  ]);
  assert.equal(plan.args[5], '/usr/bin/bwrap');
  const node = plan.args.indexOf('/usr/bin/node');
  assert.ok(node > 5 && plan.args[node - 1] === '--');
  assert.ok(plan.args.includes('--experimental-permission'));
  assert.ok(plan.args.includes('--disable-wasm-trap-handler'));
});

test("the address-space cap leaves room for Node 24's larger reservations", () => {
  const cap = (nodeVersion: string) =>
    after(launchPlan(input({ nodeVersion })).args, '/usr/bin/prlimit')[0]!.replace('--as=', '');
  assert.equal(Number(cap('22.23.5')), (4096 + 1024) * 1024 * 1024);
  assert.equal(Number(cap('24.22.3')), (4096 + 1536) * 1024 * 1024);
});

test('the sandbox: the workspace read-only, the hidden folders covered, scratch writable, no new session', () => {
  const { args } = launchPlan(input());
  assert.ok(args.includes('--unshare-all'));
  assert.ok(args.includes('--die-with-parent'));
  assert.ok(!args.includes('--new-session'), 'a second session would escape the lowered priority');
  assert.ok(after(args, '--ro-bind').includes('/ws'));
  assert.deepEqual(after(args, '--tmpfs'), ['/ws/.git', '/ws/.quire']);
  assert.deepEqual(after(args, '--remount-ro'), ['/ws/.git', '/ws/.quire']);
  assert.deepEqual(after(args, '--bind'), ['/tmp/quire-kernel-1-x']);
  assert.ok(after(args, '--ro-bind').includes('/opt/quire/dist/kernel/runtime.mjs'));
  assert.ok(!after(args, '--ro-bind').includes('/opt/quire/dist'), 'no other file of quire');
  assert.deepEqual(after(args, '--chdir'), ['/ws/reports']);
});

test('without a sandbox: setpriv --pdeathsig, and the permission model reads only what the runtime needs', () => {
  const plan = launchPlan(
    input({ sandbox: { kind: 'none', setpriv: '/usr/bin/setpriv' }, system: undefined }),
  );
  assert.equal(plan.execPath, '/usr/bin/setpriv');
  const reads = plan.args.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.slice(16));
  assert.deepEqual(reads, [
    '/ws',
    '/tmp/quire-kernel-1-x',
    '/opt/quire/dist/kernel/runtime.mjs',
    '/opt/quire/node_modules/@duckdb',
  ]);
});

test('quire inside the workspace is covered by it, not listed again (Node 20 would refuse to list the workspace)', () => {
  const plan = launchPlan(
    input({
      entry: '/ws/dist/kernel/runtime.mjs',
      runtimePackages: ['/ws/node_modules/@duckdb'],
      sandbox: { kind: 'none' },
    }),
  );
  const reads = plan.args.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.slice(16));
  assert.deepEqual(reads, ['/ws', '/tmp/quire-kernel-1-x']);
});

test('the environment is an allowlist', () => {
  const plan = launchPlan(input({ env: { QUIRE_RUN: 'r1' } }));
  assert.deepEqual(
    Object.keys(plan.env)
      .filter((k) => !['PATH', 'LANG', 'LC_ALL', 'TZ'].includes(k))
      .sort(),
    ['HOME', 'MALLOC_ARENA_MAX', 'QUIRE_RUN', 'TMPDIR'],
  );
});

test('ungranted paths are covered and shown ones mounted again inside, each after what encloses it', () => {
  const config = {
    ...input().config,
    ungranted: ['/ws/team', '/ws/solo.nb.md', '/ws/team/open/private'],
    shown: ['/ws/team/open', '/ws/team/shared.nb.md'],
  };
  const { args } = launchPlan(input({ config, hiddenFiles: ['/ws/solo.nb.md'] }));
  const mounts = args.flatMap((arg, i) =>
    ['--tmpfs', '--ro-bind', '--remount-ro'].includes(arg) && args[i + 1]!.startsWith('/ws/')
      ? [`${arg} ${args[i + 1]}`]
      : [],
  );
  // The order that matters: the folder's cover, then what is shown in it, then what is hidden in that.
  const at = (entry: string) => mounts.indexOf(entry);
  assert.ok(at('--tmpfs /ws/team') >= 0);
  assert.ok(at('--tmpfs /ws/team') < at('--ro-bind /ws/team/open'));
  assert.ok(at('--ro-bind /ws/team/open') < at('--tmpfs /ws/team/open/private'));
  assert.ok(at('--tmpfs /ws/team') < at('--ro-bind /ws/team/shared.nb.md'));
  assert.deepEqual(after(args, '--ro-bind').filter((p) => p === '/dev/null').length, 1, 'the ungranted file');
  // Read-only only once everything inside is mounted.
  const lastMount = Math.max(args.lastIndexOf('--ro-bind'), args.lastIndexOf('--tmpfs'));
  assert.ok(args.indexOf('--remount-ro') > lastMount);
  assert.deepEqual(after(args, '--remount-ro'), [
    '/ws/.git',
    '/ws/.quire',
    '/ws/team',
    '/ws/team/open/private',
  ]);
});

test('the whole workspace ungranted: covered, with quire inside it mounted again after the cover', () => {
  const config = { ...input().config, ungranted: ['/ws'], shown: ['/ws/reports/r.nb.md'] };
  const { args } = launchPlan(
    input({ config, entry: '/ws/dist/kernel/runtime.mjs', runtimePackages: ['/ws/node_modules/@duckdb'] }),
  );
  const cover = args.indexOf('/ws', args.indexOf('--tmpfs'));
  assert.equal(args[cover - 1], '--tmpfs');
  assert.ok(args.lastIndexOf('/ws/dist/kernel/runtime.mjs') > cover);
  assert.ok(args.lastIndexOf('/ws/node_modules/@duckdb') > cover);
  assert.ok(args.lastIndexOf('/ws/reports/r.nb.md') > cover);
});

test('without a sandbox, an allow-list replaces the workspace, and quire is listed unless it is covered', () => {
  const plan = launchPlan(
    input({
      sandbox: { kind: 'none' },
      system: undefined,
      entry: '/ws/dist/kernel/runtime.mjs',
      runtimePackages: ['/ws/node_modules/@duckdb'],
      readable: ['/ws/data/', '/ws/node_modules/', '/ws/notes.csv'],
    }),
  );
  const reads = plan.args.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.slice(16));
  assert.deepEqual(reads, [
    '/ws/data',
    '/ws/node_modules',
    '/ws/notes.csv',
    '/tmp/quire-kernel-1-x',
    '/ws/dist/kernel/runtime.mjs',
  ]);
});
