/**
 * The run record's redaction plans (src/runner/redact-record.ts): every field of a record has a
 * rule, and whatever the secret, the record's own fields (ids, statuses, languages, lines,
 * durations, timestamps, hashes, paths, versions, names) come out as they went in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MIME } from '../../../src/outputs/types.js';
import type { CellError, CellRecord, RunRecord } from '../../../src/runner/record.js';
import { RECORD_PLANS, redactCellRecord, redactRunRecord } from '../../../src/runner/redact-record.js';
import { REDACTED, SecretRedactor } from '../../../src/secrets/redactor.js';

type Full<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

const error: Full<CellError> = {
  message: 'auth failed for sk-e',
  line: 2,
  fileLine: 12,
  column: 5,
  name: 'Error',
  kind: 'exception',
  stack: 'Error: auth failed for sk-e\n    at eval (quire-cell-reader.js:2:5)',
};

const cell: Full<CellRecord> = {
  id: 'reader',
  name: 'reader',
  language: 'ts',
  line: 10,
  status: 'error',
  durationMs: 12.5,
  outputs: [
    { mime: MIME.stream, data: { name: 'stderr', text: 'the key: sk-e' } },
    { mime: MIME.json, data: { secret: 'sk-e' } },
  ],
  error,
  skippedBecause: 'reader',
};

const record: Full<RunRecord> = {
  id: 'run-20250304T050607Z-abcdef',
  status: 'error',
  params: { region: 'sk-e', limit: 5 },
  startedAt: '2025-03-04T05:06:07.089Z',
  finishedAt: '2025-03-04T05:06:08.001Z',
  durationMs: 912,
  notebook: {
    path: 'reports/secret.nb.md',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb924',
    title: 'Report sk-e',
  },
  runtime: {
    node: 'v22.12.0',
    quire: '0.1.0',
    duckdb: '1.5.6',
    platform: 'linux-x64',
    lockfile: { path: '/w/package-lock.json', sha256: 'abcdef0123456789' },
  },
  cells: [cell, { ...cell, id: 'other', status: 'skipped', skippedBecause: 'reader' }],
  warnings: [{ message: 'unknown key sk-e', line: 1, column: 1, cellId: 'reader' }],
  secrets: ['API_KEY'],
  timedOut: { limitMs: 1000 },
  metrics: { 'loss sk-e': 0.5 },
};

/** The record with only its own fields: what no secret may change. */
function ownFields(r: RunRecord) {
  return {
    id: r.id,
    status: r.status,
    paramNames: Object.keys(r.params),
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
    path: r.notebook.path,
    sha256: r.notebook.sha256,
    runtime: r.runtime,
    secrets: r.secrets,
    timedOut: r.timedOut,
    cells: r.cells.map((c) => ({
      id: c.id,
      name: c.name,
      language: c.language,
      line: c.line,
      status: c.status,
      durationMs: c.durationMs,
      skippedBecause: c.skippedBecause,
      mimes: c.outputs.map((o) => o.mime),
      streams: c.outputs.map((o) => (o.mime === MIME.stream ? (o.data as { name: string }).name : null)),
      error: c.error && {
        line: c.error.line,
        fileLine: c.error.fileLine,
        column: c.error.column,
        kind: c.error.kind,
      },
    })),
    warnings: r.warnings.map(({ line, column, cellId }) => ({ line, column, cellId })),
  };
}

describe('run record redaction', () => {
  it('every field of a record has a rule, and no rule names a field the record lacks', () => {
    assert.deepEqual(Object.keys(RECORD_PLANS.run).sort(), Object.keys(record).sort());
    assert.deepEqual(Object.keys(RECORD_PLANS.cell).sort(), Object.keys(cell).sort());
    assert.deepEqual(Object.keys(RECORD_PLANS.error).sort(), Object.keys(error).sort());
    assert.deepEqual(Object.keys(RECORD_PLANS.warning).sort(), Object.keys(record.warnings[0]!).sort());
  });

  it('a one-letter secret redacts the user content and none of the own fields', () => {
    const redactor = new SecretRedactor();
    redactor.register('e');
    const redacted = redactRunRecord(record, redactor);
    assert.deepEqual(ownFields(redacted), ownFields(record));
    const [first] = redacted.cells;
    assert.equal(first?.error?.message, `auth fail${REDACTED}d for sk-${REDACTED}`);
    assert.ok(!first?.error?.stack?.includes('sk-e'));
    assert.equal(first?.error?.name, `Error`);
    assert.deepEqual(first?.outputs[0]?.data, {
      name: 'stderr',
      text: `th${REDACTED} k${REDACTED}y: sk-${REDACTED}`,
    });
    assert.deepEqual(first?.outputs[1]?.data, { [`s${REDACTED}cr${REDACTED}t`]: `sk-${REDACTED}` });
    assert.deepEqual(redacted.params, { region: `sk-${REDACTED}`, limit: 5 });
    assert.equal(redacted.notebook.title, `R${REDACTED}port sk-${REDACTED}`);
    assert.equal(redacted.warnings[0]?.message, `unknown k${REDACTED}y sk-${REDACTED}`);
    assert.deepEqual(redacted.metrics, { [`loss sk-${REDACTED}`]: 0.5 });
    assert.deepEqual(redactCellRecord(cell, redactor), first);
    assert.equal(record.cells[0]?.error?.message, 'auth failed for sk-e', 'the input is not changed');
  });

  it('property: no secret changes the own fields, and none is left in the content', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (value) => {
        const redactor = new SecretRedactor();
        redactor.register(value);
        redactor.register('sk-e');
        const redacted = redactRunRecord(record, redactor);
        assert.deepEqual(ownFields(redacted), ownFields(record));
        assert.ok(!JSON.stringify(redacted.cells[0]?.outputs).includes('sk-e'));
        assert.ok(
          JSON.stringify(redacted).startsWith('{"id":"run-20250304T050607Z-abcdef","status":"error"'),
        );
      }),
      { numRuns: 300 },
    );
  });
});
