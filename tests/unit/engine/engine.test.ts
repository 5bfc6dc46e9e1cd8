/**
 * Engine scenarios: a sequence of operations, then the effects and statuses they must produce.
 * The kernel is played by the test (`Script.finishAll`), so every scenario runs in microseconds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyToState } from '../../../src/engine/state/index.js';
import { Script, toAnalysis, toCell } from './harness.js';
import type { EngineState } from '../../../src/engine/state/index.js';
import type { Spec } from './harness.js';

// a -> b -> c, a -> d (diamond with e), u independent
const diamond: Spec[] = [
  { id: 'a', declarations: ['x'] },
  { id: 'b', declarations: ['y'], references: ['x'] },
  { id: 'c', declarations: ['z'], references: ['x'] },
  { id: 'd', references: ['y', 'z'] },
  { id: 'u', declarations: ['q'] },
];
const chain: Spec[] = [
  { id: 'a', declarations: ['x'] },
  { id: 'b', declarations: ['y'], references: ['x'] },
  { id: 'c', declarations: ['z'], references: ['y'] },
  { id: 'u', declarations: ['q'] },
];

describe('engine: running', () => {
  it('runAll executes every cell once, topologically, one at a time', () => {
    const s = new Script([...diamond].reverse());
    const first = s.apply({ type: 'runAll' });
    assert.deepEqual(
      first.filter((e) => e.type === 'execute'),
      [{ type: 'execute', cellId: 'u' }],
    );
    assert.deepEqual(s.finishAll(), ['u', 'a', 'c', 'b', 'd']);
    assert.deepEqual(s.statuses(), { a: 'ok', b: 'ok', c: 'ok', d: 'ok', u: 'ok' });
    assert.deepEqual(s.effectsOf('runFinished'), [{ type: 'runFinished', errors: [], skipped: [] }]);
  });

  it('every status change is notified in order', () => {
    const s = new Script([{ id: 'a' }]);
    s.apply({ type: 'runAll' });
    s.finishAll();
    const seen = s.effectsOf('notify').map((e) => `${e.notification.cellId}:${e.notification.status}`);
    assert.deepEqual(seen, ['a:queued', 'a:running', 'a:ok']);
  });

  it('a failure skips its dependents, naming it, and independent cells still run', () => {
    const s = new Script(chain);
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll({ a: 'error' }), ['a', 'u']);
    assert.deepEqual(s.statuses(), { a: 'error', b: 'skipped', c: 'skipped', u: 'ok' });
    assert.equal(s.state.runtime.get('c')?.skippedBecause, 'a');
    assert.equal(s.state.runtime.get('a')?.error?.message, 'boom');
    assert.deepEqual(s.effectsOf('runFinished'), [
      { type: 'runFinished', errors: ['a'], skipped: ['b', 'c'] },
    ]);
    const skipNote = s
      .effectsOf('notify')
      .find((e) => e.notification.cellId === 'c' && e.notification.status === 'skipped');
    assert.deepEqual(skipNote?.notification, {
      type: 'cellStatus',
      cellId: 'c',
      status: 'skipped',
      skippedBecause: 'a',
    });
  });

  it('runCell re-runs the cell and all its dependents, and nothing else', () => {
    const s = new Script(diamond);
    s.apply({ type: 'runAll' });
    s.finishAll();
    s.apply({ type: 'runCell', id: 'c' });
    assert.deepEqual(s.finishAll(), ['c', 'd']);
  });

  it('runCell first runs upstream cells whose values are not in the kernel', () => {
    const s = new Script(chain);
    s.apply({ type: 'runCell', id: 'c' });
    assert.deepEqual(s.finishAll(), ['a', 'b', 'c']);
    assert.equal(s.status('u'), 'idle');
  });

  it('a run request during a run joins the queue in topological order', () => {
    const s = new Script(chain);
    s.apply({ type: 'runCell', id: 'b' });
    assert.equal(s.pending(), 'a');
    s.apply({ type: 'runCell', id: 'u' });
    assert.deepEqual(s.finishAll(), ['a', 'b', 'c', 'u']);
    assert.equal(s.effectsOf('runFinished').length, 1);
  });

  it('running a cell while it runs queues it once more', () => {
    const s = new Script(chain);
    s.apply({ type: 'runCell', id: 'c' });
    s.finishAll();
    s.apply({ type: 'runCell', id: 'c' });
    s.apply({ type: 'runCell', id: 'c' });
    assert.equal(s.status('c'), 'running');
    assert.deepEqual(s.finishAll(), ['c', 'c']);
    assert.equal(s.status('c'), 'ok');
  });

  it('a run with nothing to do finishes at once', () => {
    const s = new Script([{ id: 'p', prose: false }]);
    assert.deepEqual(s.apply({ type: 'runAll' }), [{ type: 'runFinished', errors: [], skipped: [] }]);
  });

  it('interrupt clears the queue, restores statuses and stops the running cell', () => {
    const s = new Script(chain);
    s.apply({ type: 'runAll' });
    const effects = s.apply({ type: 'interrupt' });
    assert.ok(effects.some((e) => e.type === 'interruptKernel'));
    assert.deepEqual(s.statuses(), { a: 'running', b: 'idle', c: 'idle', u: 'idle' });
    s.apply({
      type: 'cellFinished',
      id: 'a',
      status: 'error',
      failure: 'exception',
      error: { name: 'Interrupted', message: '' },
    });
    assert.deepEqual(s.executed, ['a']);
    assert.equal(s.effectsOf('runFinished').length, 1);
  });
});

describe('engine: edits', () => {
  it('edit makes the cell and exactly its dependents stale; runStale runs exactly those', () => {
    const s = new Script(diamond);
    s.apply({ type: 'runAll' });
    s.finishAll();
    const effects = s.apply({
      type: 'editCell',
      id: 'b',
      source: 'const y = 2',
      analysis: toAnalysis(diamond[1]!),
    });
    assert.deepEqual(
      effects.filter((e) => e.type === 'execute'),
      [],
    );
    assert.deepEqual(s.statuses(), { a: 'ok', b: 'stale', c: 'ok', d: 'stale', u: 'ok' });
    s.apply({ type: 'runStale' });
    assert.deepEqual(s.finishAll(), ['b', 'd']);
  });

  it('runStale while a cell runs that a param change made stale runs it again after it ends', () => {
    // The editor sends runStale right after setParams; the cell still running then would end
    // `stale` with nothing left to re-run it.
    const s = new Script([{ id: 'a' }, { id: 'b', references: ['p'] }], { p: 1 });
    s.apply({ type: 'runAll' });
    s.finish('a');
    assert.equal(s.pending(), 'b');
    s.apply({ type: 'setParams', values: { p: 2 } });
    s.apply({ type: 'runStale' });
    s.finishAll();
    assert.deepEqual(s.executed, ['a', 'b', 'b'], 'b runs again, with the new value');
    assert.equal(s.status('b'), 'ok');
  });

  it('edit then runCell re-runs exactly the dependents', () => {
    const s = new Script(chain);
    s.apply({ type: 'runAll' });
    s.finishAll();
    s.apply({
      type: 'editCell',
      id: 'a',
      source: 'const x = 3',
      analysis: { declarations: ['x'], references: [] },
    });
    s.apply({ type: 'runCell', id: 'a' });
    assert.deepEqual(s.finishAll(), ['a', 'b', 'c']);
  });

  it('names a cell no longer declares are deleted from the kernel', () => {
    const s = new Script(chain);
    const effects = s.apply({
      type: 'editCell',
      id: 'a',
      source: 'const w = 1',
      analysis: { declarations: ['w'], references: [] },
    });
    assert.deepEqual(
      effects.filter((e) => e.type === 'deleteNames'),
      [{ type: 'deleteNames', names: ['x'] }],
    );
    assert.deepEqual(s.state.graph.upstream.get('b'), []);
  });

  it('an edit adding an input makes the new edge and marks the cell stale', () => {
    const s = new Script(chain);
    s.apply({ type: 'runAll' });
    s.finishAll();
    s.apply({
      type: 'editCell',
      id: 'u',
      source: 'q = z',
      analysis: { declarations: ['q'], references: ['z'] },
    });
    assert.deepEqual(s.state.graph.order, ['a', 'b', 'c', 'u']);
    assert.deepEqual(s.state.graph.upstream.get('u'), ['c']);
    s.apply({ type: 'runCell', id: 'u' });
    assert.deepEqual(s.finishAll(), ['u']);
  });

  it('editing a running cell makes its result stale on arrival', () => {
    const s = new Script(chain);
    s.apply({ type: 'runCell', id: 'a' });
    s.apply({ type: 'editCell', id: 'a', source: '// new', analysis: toAnalysis(chain[0]!) });
    s.finish('a');
    const seen = s.effectsOf('notify').map((e) => `${e.notification.cellId}:${e.notification.status}`);
    assert.deepEqual(seen.slice(-3), ['a:stale', 'a:queued', 'a:running']);
    // b needs a current value of a: the engine runs a again before b.
    s.finishAll();
    assert.deepEqual(s.executed, ['a', 'a', 'b', 'c']);
  });

  it('delete removes its names and makes dependents stale', () => {
    const s = new Script(chain);
    s.apply({ type: 'runAll' });
    s.finishAll();
    const effects = s.apply({ type: 'deleteCell', id: 'b' });
    assert.deepEqual(
      effects.filter((e) => e.type === 'deleteNames'),
      [{ type: 'deleteNames', names: ['y'] }],
    );
    assert.deepEqual(s.statuses(), { a: 'ok', c: 'stale', u: 'ok' });
    assert.deepEqual(s.state.graph.upstream.get('c'), []);
    s.apply({ type: 'runStale' });
    assert.deepEqual(s.finishAll(), ['c']);
  });

  it('inserting a cell that defines a name read elsewhere makes the readers stale', () => {
    const s = new Script([{ id: 'r', references: ['n'] }]);
    s.apply({ type: 'runAll' });
    s.finishAll();
    const cell = toCell({ id: 'w' });
    s.apply({ type: 'insertCell', cell, index: 1, analysis: { declarations: ['n'], references: [] } });
    assert.deepEqual(s.statuses(), { r: 'stale', w: 'stale' });
    assert.deepEqual(s.state.graph.order, ['w', 'r']);
    s.apply({ type: 'runStale' });
    assert.deepEqual(s.finishAll(), ['w', 'r']);
  });

  it('moveCell changes only how ties are broken', () => {
    const s = new Script([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    s.apply({ type: 'moveCell', id: 'c', index: 0 });
    assert.deepEqual(
      s.state.cells.map((c) => c.id),
      ['c', 'a', 'b'],
    );
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll(), ['c', 'a', 'b']);
  });

  it('deleting one of two duplicate definitions clears the error on the other', () => {
    const s = new Script([
      { id: 'a', declarations: ['x'] },
      { id: 'b', declarations: ['x'] },
      { id: 'r', references: ['x'] },
    ]);
    s.apply({ type: 'runAll' });
    s.finishAll();
    assert.deepEqual(s.statuses(), { a: 'error', b: 'error', r: 'skipped' });
    s.apply({ type: 'deleteCell', id: 'b' });
    assert.deepEqual(s.statuses(), { a: 'stale', r: 'stale' });
    s.apply({ type: 'runStale' });
    assert.deepEqual(s.finishAll(), ['a', 'r']);
  });
});

describe('engine: params', () => {
  const specs: Spec[] = [
    { id: 'a', declarations: ['x'], references: ['region'] },
    { id: 'b', references: ['x'] },
    { id: 'c', references: ['min_total'] },
    { id: 'u' },
  ];

  it('setParams defines the changed values and makes exactly the readers stale', () => {
    const s = new Script(specs, { region: 'EU', min_total: 0 });
    assert.deepEqual(s.state.graph.upstream.get('a'), []);
    s.apply({ type: 'runAll' });
    s.finishAll();
    const effects = s.apply({ type: 'setParams', values: { region: 'US', min_total: 0 } });
    assert.deepEqual(effects[0], { type: 'defineParams', values: { region: 'US' } });
    assert.deepEqual(s.statuses(), { a: 'stale', b: 'stale', c: 'ok', u: 'ok' });
    s.apply({ type: 'runStale' });
    assert.deepEqual(s.finishAll(), ['a', 'b']);
  });

  it('setting params to their values does nothing', () => {
    const s = new Script(specs, { region: 'EU' });
    assert.deepEqual(s.apply({ type: 'setParams', values: { region: 'EU' } }), []);
  });

  it('a cell that defines a param is an error and never runs', () => {
    const s = new Script([{ id: 'a', declarations: ['region'] }, { id: 'b' }], { region: 'EU' });
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll(), ['b']);
    assert.equal(s.status('a'), 'error');
    assert.match(s.state.runtime.get('a')?.error?.message ?? '', /'region' is a param/);
  });
});

describe('engine: cells that cannot run', () => {
  it('run=false never runs; its dependents are skipped naming it; others run', () => {
    const s = new Script([
      { id: 'a', declarations: ['x'], run: false },
      { id: 'b', declarations: ['y'], references: ['x'] },
      { id: 'c', references: ['y'] },
      { id: 'u' },
    ]);
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll(), ['u']);
    assert.deepEqual(s.statuses(), { a: 'idle', b: 'skipped', c: 'skipped', u: 'ok' });
    assert.equal(s.state.runtime.get('c')?.skippedBecause, 'a');
  });

  it('a cycle is an error on each member without running; unrelated cells run', () => {
    const s = new Script([
      { id: 'a', declarations: ['x'], references: ['y'] },
      { id: 'b', declarations: ['y'], references: ['x'] },
      { id: 'r', references: ['x'] },
      { id: 'u' },
    ]);
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll(), ['u']);
    assert.deepEqual(s.statuses(), { a: 'error', b: 'error', r: 'skipped', u: 'ok' });
    const error = s.state.runtime.get('a')?.error;
    assert.deepEqual(error, { name: 'CycleError', message: 'cycle: a -> b -> a' });
    assert.equal(s.state.runtime.get('a')?.failure, 'static');
  });

  it('a syntax error is an error with its line; dependents skipped', () => {
    const s = new Script([
      { id: 'a', declarations: ['x'], syntaxError: 'Unexpected token' },
      { id: 'b', references: ['x'] },
    ]);
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll(), []);
    assert.deepEqual(s.state.runtime.get('a')?.error, {
      name: 'SyntaxError',
      message: 'Unexpected token',
      line: 2,
      column: 5,
    });
    assert.equal(s.state.runtime.get('b')?.skippedBecause, 'a');
  });

  it('prose with interpolations runs after its inputs; plain prose never runs', () => {
    const s = new Script([
      { id: 'p', prose: true, references: ['x'] },
      { id: 't', prose: false },
      { id: 'a', declarations: ['x'] },
    ]);
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll(), ['a', 'p']);
    assert.equal(s.status('t'), 'idle');
    s.apply({
      type: 'editCell',
      id: 't',
      source: 'now ${x}',
      analysis: { declarations: [], references: ['x'] },
    });
    assert.equal(s.status('t'), 'stale');
    s.apply({ type: 'runCell', id: 'a' });
    assert.deepEqual(s.finishAll(), ['a', 'p', 't']);
  });
});

describe('engine: kernel loss', () => {
  it('a timeout waits for the new kernel, then re-runs the upstream cells the rest of the run needs', () => {
    const s = new Script([
      { id: 'a', declarations: ['x'] },
      { id: 't', declarations: ['slow'] },
      { id: 'b', references: ['x'] },
      { id: 'r', references: ['slow'] },
    ]);
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll({ t: 'timeout' }), ['a', 't']);
    assert.equal(s.state.awaitingKernel, true);
    assert.equal(s.status('r'), 'skipped');
    const effects = s.apply({ type: 'kernelRestarted' });
    assert.deepEqual(
      effects.filter((e) => e.type === 'execute'),
      [{ type: 'execute', cellId: 'a' }],
    );
    assert.deepEqual(s.finishAll(), ['a', 'b']);
    assert.deepEqual(s.executed, ['a', 't', 'a', 'b']);
    assert.deepEqual(s.statuses(), { a: 'ok', t: 'error', b: 'ok', r: 'skipped' });
    assert.equal(s.state.runtime.get('t')?.failure, 'timeout');
    assert.deepEqual(s.effectsOf('runFinished'), [{ type: 'runFinished', errors: ['t'], skipped: ['r'] }]);
  });

  it('a restart while a cell runs fails it as a crash and redefines params before executing', () => {
    const s = new Script(chain, { region: 'EU' });
    s.apply({ type: 'runAll' });
    s.finish('a');
    assert.equal(s.pending(), 'b');
    const effects = s.apply({ type: 'kernelRestarted' });
    assert.deepEqual(
      effects.map((e) => e.type).filter((t) => t !== 'notify'),
      ['defineParams', 'execute'],
    );
    assert.deepEqual(s.state.runtime.get('b')?.failure, 'crash');
    s.finishAll();
    assert.deepEqual(s.executed, ['a', 'b', 'u']);
    assert.deepEqual(s.statuses(), { a: 'ok', b: 'error', c: 'skipped', u: 'ok' });
  });

  it('after a restart, statuses keep their display but runCell recomputes lost inputs', () => {
    const s = new Script(chain);
    s.apply({ type: 'runAll' });
    s.finishAll();
    s.apply({ type: 'kernelRestarted' });
    assert.deepEqual(s.statuses(), { a: 'ok', b: 'ok', c: 'ok', u: 'ok' });
    s.apply({ type: 'runCell', id: 'c' });
    assert.deepEqual(s.finishAll(), ['a', 'b', 'c']);
  });
});

describe('engine: contract', () => {
  it('rejects unknown cells and stale kernel feedback without changing state', () => {
    const s = new Script(chain);
    for (const op of [
      { type: 'editCell', id: 'nope', source: '' },
      { type: 'deleteCell', id: 'nope' },
      { type: 'runCell', id: 'nope' },
      { type: 'cellFinished', id: 'a', status: 'ok' },
      { type: 'cellStarted', id: 'a' },
      { type: 'insertCell', cell: toCell({ id: 'a' }), index: 0 },
    ] as const) {
      const result = applyToState(s.state, op);
      assert.ok(result.error, op.type);
      assert.equal(result.state, s.state);
      assert.deepEqual(result.effects, []);
    }
  });

  it('never mutates the state it was given', () => {
    const s = new Script(chain);
    const before = s.state;
    const snapshot = (state: EngineState) =>
      JSON.stringify([
        [...state.runtime],
        [...state.analyses],
        [...state.queue],
        state.cells,
        [...state.cellIndex],
        state.params,
        state.run && [[...state.run.settled.keys()]],
      ]);
    const initial = snapshot(before);
    s.apply({ type: 'runAll' });
    const midRun = s.state;
    const midSnapshot = snapshot(midRun);
    s.apply({
      type: 'editCell',
      id: 'c',
      source: '// edited',
      analysis: { declarations: [], references: ['y'] },
    });
    s.finishAll({ b: 'error' });
    s.apply({ type: 'insertCell', cell: toCell({ id: 'z' }), index: 0 });
    s.apply({ type: 'setParams', values: { p: 1 } });
    s.apply({ type: 'deleteCell', id: 'a' });
    assert.equal(snapshot(before), initial);
    assert.equal(snapshot(midRun), midSnapshot);
    assert.deepEqual([...before.queue], []);
  });

  it('cellStarted for the running cell is accepted and changes nothing', () => {
    const s = new Script(chain);
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.apply({ type: 'cellStarted', id: 'a' }), []);
  });

  it('a 300-cell chain: run all in order, edit the middle, re-run exactly its dependents', () => {
    const n = 300;
    const specs: Spec[] = Array.from({ length: n }, (_, k) => ({
      id: `c${k}`,
      declarations: [`v${k}`],
      references: k > 0 ? [`v${k - 1}`] : [],
    }));
    const s = new Script(specs.slice().reverse());
    s.apply({ type: 'runAll' });
    assert.deepEqual(
      s.finishAll(),
      specs.map((c) => c.id),
    );
    s.apply({ type: 'editCell', id: 'c150', source: '//', analysis: toAnalysis(specs[150]!) });
    assert.equal(Object.values(s.statuses()).filter((st) => st === 'stale').length, 150);
    s.apply({ type: 'runCell', id: 'c150' });
    assert.deepEqual(
      s.finishAll(),
      specs.slice(150).map((c) => c.id),
    );
    s.apply({ type: 'runAll' });
    assert.deepEqual(
      s.finishAll({ c10: 'error' }),
      specs.slice(0, 11).map((c) => c.id),
    );
    assert.equal(s.state.runtime.get('c299')?.skippedBecause, 'c10');
  });

  it('a 20,000-cell chain: running its last cell first runs everything it needs, in order', () => {
    const n = 20_000;
    const specs: Spec[] = Array.from({ length: n }, (_, k) => ({
      id: `c${k}`,
      declarations: [`v${k}`],
      references: k > 0 ? [`v${k - 1}`] : [],
    }));
    const s = new Script(specs);
    // Nothing has run: every upstream cell is needed, 20,000 deep.
    s.apply({ type: 'runCell', id: `c${n - 1}` });
    const executed = s.finishAll();
    assert.equal(executed.length, n);
    assert.deepEqual(executed.slice(0, 3), ['c0', 'c1', 'c2']);
    assert.equal(executed.at(-1), `c${n - 1}`);
    // Run all again with the first cell failing: one execution, every other cell skipped naming it.
    s.apply({ type: 'runAll' });
    assert.deepEqual(s.finishAll({ c0: 'error' }), ['c0']);
    const finished = s.effectsOf('runFinished').at(-1)!;
    assert.deepEqual(finished.errors, ['c0']);
    assert.equal(finished.skipped.length, n - 1);
    assert.equal(finished.skipped[0], 'c1');
    assert.equal(s.state.runtime.get(`c${n - 1}`)?.skippedBecause, 'c0');
  });

  it("runFinished lists a run's failures in the order they happened, once each", () => {
    const s = new Script([
      { id: 'a', declarations: ['x'] },
      { id: 'b', references: ['x'] },
      { id: 'c', declarations: ['y'] },
      { id: 'd', references: ['y'] },
      { id: 'e' },
    ]);
    s.apply({ type: 'runAll' });
    s.finishAll({ c: 'error', a: 'error', e: 'error' });
    assert.deepEqual(s.effectsOf('runFinished').at(-1), {
      type: 'runFinished',
      errors: ['a', 'c', 'e'],
      skipped: ['b', 'd'],
    });
  });
});
