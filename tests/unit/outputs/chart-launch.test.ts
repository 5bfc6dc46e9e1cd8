/**
 * How the chart process is started (chart-launch.ts): built, under the permission model with read
 * access to quire's own code only; never with the host's environment; as the kernel user when given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartEntry, chartLaunchPlan } from '../../../src/outputs/render/chart-launch.js';

const ROOT = '/opt/quire';
const config = { maxSvgChars: 1234 };

/** The node arguments, without the setpriv prefix some machines add. */
function nodeArgs(args: string[]): string[] {
  const dashes = args.indexOf('--');
  return dashes >= 0 && args[0] === '--pdeathsig' ? args.slice(dashes + 2) : args;
}

describe('chartLaunchPlan', () => {
  it('runs the built child under the permission model, reading only quire itself', () => {
    const entry = `${ROOT}/dist/outputs/render/chart-child.js`;
    const plan = chartLaunchPlan({ entry, config, heapMb: 256, root: ROOT, nodeVersion: '22.13.0' });
    const args = nodeArgs(plan.args);
    assert.equal(args[0], '--permission');
    const reads = args.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.split('=')[1]);
    assert.deepEqual(reads.sort(), [`${ROOT}/dist`, `${ROOT}/node_modules`, `${ROOT}/package.json`]);
    for (const forbidden of [
      '--allow-fs-write',
      '--allow-child-process',
      '--allow-worker',
      '--allow-addons',
      '--allow-wasi',
    ])
      assert.ok(!args.some((a) => a.startsWith(forbidden)), forbidden);
    assert.ok(args.includes('--max-old-space-size=256'));
    assert.deepEqual(args.slice(-2), [entry, JSON.stringify(config)]);
    assert.deepEqual(plan.env, {}, 'no environment: the host may hold secrets there');
  });

  it('uses the permission flag this Node knows', () => {
    const entry = `${ROOT}/dist/outputs/render/chart-child.js`;
    const on20 = nodeArgs(
      chartLaunchPlan({ entry, config, heapMb: 1, root: ROOT, nodeVersion: '20.19.0' }).args,
    );
    assert.equal(on20[0], '--experimental-permission');
    const on24 = nodeArgs(
      chartLaunchPlan({ entry, config, heapMb: 1, root: ROOT, nodeVersion: '24.0.0' }).args,
    );
    assert.equal(on24[0], '--permission');
  });

  it('drops to the kernel user when given one', () => {
    const entry = `${ROOT}/dist/outputs/render/chart-child.js`;
    const user = { name: 'nobody', uid: 65534, gid: 65534 };
    const plan = chartLaunchPlan({ entry, config, heapMb: 1, root: ROOT, user });
    assert.equal(plan.uid, 65534);
    assert.equal(plan.gid, 65534);
    assert.equal(chartLaunchPlan({ entry, config, heapMb: 1, root: ROOT }).uid, undefined);
  });

  it('runs the TypeScript child through tsx (tests), still without the environment', () => {
    const plan = chartLaunchPlan({
      entry: '/x/src/outputs/render/chart-child.ts',
      config,
      heapMb: 1,
      root: ROOT,
    });
    const args = nodeArgs(plan.args);
    assert.equal(args[0], '--import');
    assert.deepEqual(plan.env, {});
  });
});

describe('chartEntry', () => {
  it('finds the child beside the module, or the tsc output from the bundle', () => {
    assert.match(
      chartEntry('file:///r/src/outputs/render/chart-launch.ts', '/r'),
      /\/r\/src\/outputs\/render\/chart-child\.ts$/,
    );
    assert.equal(
      chartEntry('file:///r/dist/bundle/chunk-X.js', '/r'),
      '/r/dist/outputs/render/chart-child.js',
    );
  });
});
