/**
 * Redaction plans (src/outputs/redact.ts): a document is redacted field by field, our own fields
 * kept whatever the secret, user content rewritten, and a field no rule names treated as content.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ERROR_PLAN,
  OUTPUT_PLAN,
  STREAM_PLAN,
  redactDeep,
  redactOutputData,
  redactWith,
  rules,
  type RedactPlan,
} from '../../../src/outputs/redact.js';
import {
  MIME,
  type ErrorData,
  type Output,
  type StreamData,
  type TableData,
} from '../../../src/outputs/types.js';
import { SecretRedactor } from '../../../src/secrets/redactor.js';

/** A redactor with secrets that hit our vocabulary: `e`, `std`, `json`. */
function vocabularyRedactor(): SecretRedactor {
  const redactor = new SecretRedactor();
  for (const value of ['e', 'std', 'json']) redactor.register(value);
  return redactor;
}

interface Sample {
  id: string;
  note?: string;
  count: number;
}

describe('redactWith', () => {
  it('keeps `keep` fields, rewrites by rule, and treats unknown fields as user content', () => {
    const plan: RedactPlan<Sample> = { id: 'keep', note: rules.text, count: 'keep' };
    const redactor = vocabularyRedactor();
    const input = { id: 'e-1', note: 'here', count: 3, extra: { key: 'e' } } as Sample;
    assert.deepEqual(redactWith(input, plan, redactor), {
      id: 'e-1',
      note: 'h[REDACTED]r[REDACTED]',
      count: 3,
      extra: { 'k[REDACTED]y': '[REDACTED]' },
    });
    assert.deepEqual(input, { id: 'e-1', note: 'here', count: 3, extra: { key: 'e' } }, 'input untouched');
  });

  it('a plan must name every field, optional ones too, and no other (checked by tsc)', () => {
    // @ts-expect-error `note` (optional) has no rule
    const missing: RedactPlan<Sample> = { id: 'keep', count: 'keep' };
    // @ts-expect-error `other` is not a field of Sample
    const extra: RedactPlan<Sample> = { id: 'keep', note: 'keep', count: 'keep', other: 'keep' };
    assert.ok(missing && extra);
  });

  it('rules.values keeps keys, rules.keys keeps values', () => {
    const redactor = vocabularyRedactor();
    assert.deepEqual(rules.values({ region: 'e', n: 1 }, redactor), { region: '[REDACTED]', n: 1 });
    assert.deepEqual(rules.keys({ 'loss e': 1 }, redactor), { 'loss [REDACTED]': 1 });
  });
});

describe('outputs by kind', () => {
  it('a stream keeps its name, an error its line and column; both lose the secret', () => {
    const redactor = vocabularyRedactor();
    const stream: StreamData = { name: 'stderr', text: 'std here' };
    assert.deepEqual(redactWith(stream, STREAM_PLAN, redactor), {
      name: 'stderr',
      text: '[REDACTED] h[REDACTED]r[REDACTED]',
    });
    const error: ErrorData = { name: 'SecretError', message: 'e', line: 3, column: 4, stack: 'e' };
    assert.deepEqual(redactWith(error, ERROR_PLAN, redactor), {
      name: 'S[REDACTED]cr[REDACTED]tError',
      message: '[REDACTED]',
      line: 3,
      column: 4,
      stack: '[REDACTED]',
    });
  });

  it('an output keeps its MIME type; its data is redacted by it', () => {
    const redactor = vocabularyRedactor();
    const outputs: Output[] = [
      { mime: MIME.json, data: { key: 'e' } },
      { mime: MIME.stream, data: { name: 'stdout', text: 'e' } },
      {
        mime: MIME.table,
        data: { columns: [{ name: 'e', type: 'VARCHAR' }], rows: [['e']], rowCount: 1, truncated: false },
      },
    ];
    const redacted = outputs.map((output) => redactWith(output, OUTPUT_PLAN, redactor));
    assert.deepEqual(
      redacted.map((o) => o.mime),
      outputs.map((o) => o.mime),
    );
    assert.deepEqual(redacted[0]?.data, { 'k[REDACTED]y': '[REDACTED]' });
    assert.deepEqual(redacted[1]?.data, { name: 'stdout', text: '[REDACTED]' });
    const table = redacted[2]?.data as TableData;
    assert.deepEqual(table, {
      columns: [{ name: '[REDACTED]', type: 'VARCHAR' }],
      rows: [['[REDACTED]']],
      rowCount: 1,
      truncated: false,
    });
  });

  it('redactOutputData of an unknown MIME type is deep, keys included', () => {
    const redactor = vocabularyRedactor();
    assert.deepEqual(redactOutputData('application/x-thing', { e: ['e'] }, redactor), {
      '[REDACTED]': ['[REDACTED]'],
    });
    assert.deepEqual(redactDeep([{ e: 'e' }], redactor, { keys: false }), [{ e: '[REDACTED]' }]);
  });
});
