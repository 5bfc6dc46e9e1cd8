/**
 * The engine's immutable structures against plain models: PersistentMap against a Map, RunQueue
 * against a sorted set. Every old version must stay as it was after later updates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PersistentMap } from '../../../src/engine/state/persistent-map.js';
import { RunQueue } from '../../../src/engine/state/run-queue.js';

type MapOp = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };

// Few distinct keys, so that sets and deletes hit existing keys often; c693596 and c1170850 have
// the same 32-bit hash (FNV-1a), so the trie's collision lists are exercised too.
const keys = fc.constantFrom('a', 'b', 'c', 'cell-1', 'cell-2', 'x'.repeat(40), 'c693596', 'c1170850');
const mapOp: fc.Arbitrary<MapOp> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keys, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key: keys }),
);

const sortedEntries = (entries: Iterable<[string, number]>): [string, number][] =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('PersistentMap', () => {
  it('answers like a Map after any sequence of sets and deletes; old versions never change', () => {
    fc.assert(
      fc.property(fc.array(mapOp, { maxLength: 60 }), (ops) => {
        let map = PersistentMap.empty<number>();
        const model = new Map<string, number>();
        const versions: [PersistentMap<number>, [string, number][]][] = [];
        for (const op of ops) {
          versions.push([map, sortedEntries(model)]);
          if (op.kind === 'set') {
            map = map.set(op.key, op.value);
            model.set(op.key, op.value);
          } else {
            map = map.delete(op.key);
            model.delete(op.key);
          }
          assert.equal(map.size, model.size);
          for (const key of ['a', 'b', 'c', 'c693596', 'c1170850', 'missing']) {
            assert.equal(map.get(key), model.get(key), key);
            assert.equal(map.has(key), model.has(key), key);
          }
        }
        assert.deepEqual(sortedEntries(map), sortedEntries(model));
        for (const [version, entries] of versions) assert.deepEqual(sortedEntries(version), entries);
      }),
    );
  });

  it('holds 20,000 keys; an update shares the rest and returns the same map when nothing changes', () => {
    const n = 20_000;
    const map = PersistentMap.from(Array.from({ length: n }, (_, i) => [`cell-${i}`, i] as [string, number]));
    assert.equal(map.size, n);
    assert.equal(map.get('cell-12345'), 12345);
    const next = map.set('cell-12345', -1);
    assert.equal(next.get('cell-12345'), -1);
    assert.equal(map.get('cell-12345'), 12345);
    assert.equal(next.set('cell-12345', -1), next);
    assert.equal(map.delete('no-such-cell'), map);
    let emptied = map;
    for (let i = 0; i < n; i++) emptied = emptied.delete(`cell-${i}`);
    assert.equal(emptied.size, 0);
    assert.deepEqual([...emptied], []);
    assert.equal([...map.keys()].length, n);
  });
});

type QueueOp = { kind: 'add'; id: number } | { kind: 'delete'; id: number } | { kind: 'rest' };

const queueOp: fc.Arbitrary<QueueOp> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), id: fc.nat(15) }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.nat(15) }),
  fc.record({ kind: fc.constant('rest' as const) }),
);

describe('RunQueue', () => {
  it('takes cells in position order after any adds, deletes and takes; old versions never change', () => {
    fc.assert(
      fc.property(fc.array(queueOp, { maxLength: 80 }), (ops) => {
        // A cell's position is its number here; ids are strings as in the engine.
        let queue = RunQueue.empty();
        let model: number[] = [];
        const versions: [RunQueue, string[]][] = [];
        for (const op of ops) {
          versions.push([queue, model.map(String)]);
          if (op.kind === 'add') {
            queue = queue.add(String(op.id), op.id);
            if (!model.includes(op.id)) model = [...model, op.id].sort((a, b) => a - b);
          } else if (op.kind === 'delete') {
            queue = queue.delete(String(op.id));
            model = model.filter((id) => id !== op.id);
          } else {
            assert.equal(queue.first(), model[0] === undefined ? undefined : String(model[0]));
            queue = queue.rest();
            model = model.slice(1);
          }
          assert.equal(queue.length, model.length);
          assert.equal(queue.first(), model[0] === undefined ? undefined : String(model[0]));
          for (let id = 0; id <= 15; id++) assert.equal(queue.has(String(id)), model.includes(id));
        }
        assert.deepEqual([...queue], model.map(String));
        for (const [version, ids] of versions) assert.deepEqual([...version], ids);
      }),
    );
  });

  it('drains 20,000 cells in order', () => {
    const n = 20_000;
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    let queue = RunQueue.of([...ids].reverse(), (id) => Number(id.slice(1)));
    const taken: string[] = [];
    while (queue.length > 0) {
      taken.push(queue.first()!);
      queue = queue.rest();
    }
    assert.deepEqual(taken, ids);
  });
});
