// The hash chain as pure functions: entries made from events, then edited, deleted, moved or
// rewritten the ways someone with write access to the table could; verifyChain must name the
// first bad seq and why, and accept every untouched prefix.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  appendTo,
  canonicalJson,
  checkAnchor,
  entryHash,
  verifyChain,
  EMPTY_CHAIN,
} from '../../../src/audit/chain.js';
import {
  AUDIT_SCHEMA,
  AuditEvent,
  GENESIS_HASH,
  parseEntry,
  type AuditEntry,
} from '../../../src/audit/schema.js';

const event = (n: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  time: new Date(Date.UTC(2026, 11, 4, 12, 0, n)).toISOString(),
  event: n % 2 ? 'notebook.saved' : 'run.started',
  user: 'owner',
  action: n % 2 ? 'notebook:edit' : 'notebook:execute',
  resource: { kind: 'notebook', path: `n${n}.nb.md` },
  outcome: 'ok',
  via: 'http',
  detail: n % 2 ? { version: `v${n}`, created: n === 1 } : { runId: `r${n}`, attempt: n },
  ...overrides,
});

const chain = (count: number): AuditEntry[] =>
  appendTo(
    EMPTY_CHAIN,
    Array.from({ length: count }, (_, i) => event(i + 1)),
  );

/** The entry with `change` applied and its hash recomputed, as a tamperer who knows the scheme would. */
const rehash = (entry: AuditEntry, change: Partial<AuditEntry>): AuditEntry => {
  const changed = { ...entry, ...change };
  return { ...changed, hash: entryHash(changed) };
};

describe('canonicalJson', () => {
  test('sorts keys at every level, keeps array order, drops undefined fields', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined }),
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  test('one text per value whatever order the keys were written in', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean()), {
          noNullPrototype: true,
        }),
        (value) => {
          const reversed = Object.fromEntries(Object.entries(value).reverse());
          assert.equal(canonicalJson(reversed), canonicalJson(value));
          assert.deepEqual(JSON.parse(canonicalJson(value)), value);
        },
      ),
    );
  });

  test('refuses what JSON cannot say exactly', () => {
    assert.throws(() => canonicalJson({ x: Number.NaN }), /not a JSON number/);
    assert.throws(() => canonicalJson(() => 1), /no JSON form/);
  });
});

describe('appendTo', () => {
  test('seq counts from 1, the first prevHash is the genesis hash, each links to the one before', () => {
    const entries = chain(3);
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2, 3],
    );
    assert.equal(entries[0]!.prevHash, GENESIS_HASH);
    assert.equal(entries[1]!.prevHash, entries[0]!.hash);
    assert.equal(entries[2]!.prevHash, entries[1]!.hash);
    for (const entry of entries) {
      assert.equal(entry.schema, AUDIT_SCHEMA);
      assert.deepEqual(parseEntry(entry), entry);
    }
  });

  test('the hash is sha256 of the canonical entry without its hash, prevHash included', () => {
    const [entry] = chain(1);
    const { hash, ...rest } = entry!;
    const expected = createHash('sha256').update(canonicalJson(rest)).digest('hex');
    assert.equal(hash, expected);
    assert.match(canonicalJson(rest), /"prevHash":"0{64}"/);
  });

  test('continues from a head; the time is stored in one form', () => {
    const first = chain(2);
    const head = { seq: 2, hash: first[1]!.hash };
    const [next] = appendTo(head, [event(3, { time: '2026-12-04T13:00:00+01:00' })]);
    assert.equal(next!.seq, 3);
    assert.equal(next!.prevHash, head.hash);
    assert.equal(next!.time, '2026-12-04T12:00:00.000Z');
    assert.deepEqual(verifyChain([...first, next!]), {
      ok: true,
      count: 3,
      head: { seq: 3, hash: next!.hash },
    });
  });
});

describe('verifyChain', () => {
  test('an untouched chain, whole or as pages continued from the last head', () => {
    const entries = chain(10);
    const whole = verifyChain(entries);
    assert.deepEqual(whole, { ok: true, count: 10, head: { seq: 10, hash: entries[9]!.hash } });
    const firstPage = verifyChain(entries.slice(0, 4));
    assert.ok(firstPage.ok);
    assert.deepEqual(verifyChain(entries.slice(4), { from: firstPage.head }), {
      ok: true,
      count: 6,
      head: whole.head,
    });
    assert.deepEqual(verifyChain([]), { ok: true, count: 0, head: EMPTY_CHAIN });
  });

  // Each case: what a tamperer does to a 10-entry chain → the first bad seq and the problem.
  const cases: { name: string; tamper: (e: AuditEntry[]) => AuditEntry[]; seq: number; problem: string }[] = [
    {
      name: 'a field edited',
      tamper: (e) => e.map((x) => (x.seq === 4 ? { ...x, user: 'mallory' } : x)),
      seq: 4,
      problem: 'edited',
    },
    {
      name: 'a detail value edited',
      tamper: (e) => e.map((x) => (x.seq === 7 ? { ...x, detail: { ...x.detail, n: 70 } } : x)),
      seq: 7,
      problem: 'edited',
    },
    {
      name: 'the outcome edited on the first entry',
      tamper: (e) => e.map((x) => (x.seq === 1 ? { ...x, outcome: 'denied' as const } : x)),
      seq: 1,
      problem: 'edited',
    },
    { name: 'one entry deleted', tamper: (e) => e.filter((x) => x.seq !== 5), seq: 5, problem: 'deleted' },
    {
      name: 'three entries deleted',
      tamper: (e) => e.filter((x) => x.seq < 3 || x.seq > 5),
      seq: 3,
      problem: 'deleted',
    },
    { name: 'the first entry deleted', tamper: (e) => e.slice(1), seq: 1, problem: 'deleted' },
    {
      name: 'two entries swapped (their seq exchanged)',
      tamper: (e) =>
        e
          .map((x) => (x.seq === 5 ? { ...x, seq: 6 } : x.seq === 6 ? { ...x, seq: 5 } : x))
          .sort((a, b) => a.seq - b.seq),
      seq: 5,
      problem: 'reordered',
    },
    {
      name: 'an entry rewritten with a recomputed hash',
      tamper: (e) => e.map((x) => (x.seq === 3 ? rehash(x, { user: 'mallory' }) : x)),
      seq: 4,
      problem: 'wrong-prev',
    },
    {
      name: 'an entry deleted and the later ones renumbered with recomputed hashes',
      tamper: (e) => [...e.slice(0, 4), ...e.slice(5).map((x) => rehash(x, { seq: x.seq - 1 }))],
      seq: 5,
      problem: 'wrong-prev',
    },
    {
      name: 'an entry inserted',
      tamper: (e) => [
        ...e.slice(0, 8),
        rehash({ ...e[8]!, user: 'mallory' }, { prevHash: e[7]!.hash }),
        ...e.slice(8).map((x) => rehash(x, { seq: x.seq + 1 })),
      ],
      seq: 10,
      problem: 'wrong-prev',
    },
    {
      name: 'a new first entry that does not start from the genesis hash',
      tamper: (e) => [rehash(e[0]!, { prevHash: 'f'.repeat(64) }), ...e.slice(1)],
      seq: 1,
      problem: 'wrong-prev',
    },
  ];

  for (const { name, tamper, seq, problem } of cases) {
    test(`${name} → seq ${seq} ${problem}`, () => {
      const check = verifyChain(tamper(chain(10)), { maxSeq: 11 });
      assert.equal(check.ok, false, name);
      if (check.ok) return;
      assert.equal(check.break.seq, seq, check.break.message);
      assert.equal(check.break.problem, problem, check.break.message);
      assert.equal(check.count, Math.min(seq, 11) - 1, 'the good entries before the first bad one');
      assert.match(check.break.message, new RegExp(`\\b${seq}\\b`));
    });
  }

  test('an intact entry read after a later one is reordered', () => {
    const entries = chain(4);
    const check = verifyChain([entries[0]!, entries[1]!, entries[2]!, entries[1]!]);
    assert.equal(check.ok, false);
    if (!check.ok) assert.deepEqual([check.break.seq, check.break.problem], [2, 'reordered']);
  });

  test('any single edit of any field of any entry is found at that entry', () => {
    const entries = chain(12);
    const fields = [
      'time',
      'event',
      'user',
      'action',
      'resource',
      'outcome',
      'via',
      'detail',
      'schema',
    ] as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 11 }), fc.constantFrom(...fields), (index, field) => {
        const changed: Record<(typeof fields)[number], unknown> = {
          time: '2000-01-01T00:00:00.000Z',
          event: 'login',
          user: null,
          action: 'admin',
          resource: { kind: 'server' },
          outcome: 'failed',
          via: 'ws',
          detail: {},
          schema: 1,
        };
        const tampered = entries.map((e, i) =>
          i === index ? ({ ...e, [field]: changed[field] } as AuditEntry) : e,
        );
        const check = verifyChain(tampered, { maxSeq: 12 });
        assert.equal(check.ok, false);
        if (!check.ok) assert.deepEqual([check.break.seq, check.break.problem], [index + 1, 'edited']);
      }),
    );
  });
});

describe('checkAnchor', () => {
  const entries = chain(5);
  const head = { seq: 5, hash: entries[4]!.hash };

  test('the recorded head still there, unchanged', () => {
    assert.equal(checkAnchor({ seq: 3, hash: entries[2]!.hash }, entries[2]!.hash, head), undefined);
  });

  test('the recorded head gone: the newest entries were cut off', () => {
    const brk = checkAnchor({ seq: 7, hash: 'a'.repeat(64) }, undefined, head);
    assert.deepEqual([brk?.seq, brk?.problem], [7, 'deleted']);
  });

  test('the recorded head has another hash: the log was rewritten', () => {
    const brk = checkAnchor({ seq: 3, hash: 'a'.repeat(64) }, entries[2]!.hash, head);
    assert.deepEqual([brk?.seq, brk?.problem], [3, 'anchor']);
  });
});

describe('entry schemas', () => {
  test('an unknown version or a bad field is refused', () => {
    const [entry] = chain(1);
    assert.throws(() => parseEntry({ ...entry, schema: 99 }), /unknown schema version 99/);
    assert.throws(() => parseEntry({ ...entry, hash: 'nope' }));
    assert.throws(() => parseEntry({ ...entry, outcome: 'maybe' }));
  });

  test('text a database would not give back as it was is refused', () => {
    assert.equal(AuditEvent.safeParse(event(1, { user: 'a\u0000b' })).success, false);
    assert.equal(
      AuditEvent.safeParse(event(1, { resource: { kind: 'notebook', path: 'x\ud800.nb.md' } })).success,
      false,
    );
    assert.equal(AuditEvent.safeParse(event(1, { detail: { names: ['ok', '\udfff'] } })).success, false);
    assert.equal(AuditEvent.safeParse(event(1, { user: 'zoë 🙂' })).success, true);
  });
});
