/** SecretRedactor: every registered value, in every form it is redacted in, becomes [REDACTED]. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { REDACTED, SecretRedactor, secretForms } from '../../../src/secrets/redactor.js';

const SECRET = 'sk-live-1234567890abcdef';

const encodings: Record<string, (v: string) => string> = {
  plain: (v) => v,
  json: (v) => JSON.stringify(v).slice(1, -1),
  url: (v) => encodeURIComponent(v),
  base64: (v) => Buffer.from(v).toString('base64'),
  base64url: (v) => Buffer.from(v).toString('base64url'),
};

test('nothing registered: text is unchanged', () => {
  const redactor = new SecretRedactor();
  assert.equal(redactor.redact(`a ${SECRET} b`), `a ${SECRET} b`);
  assert.equal(redactor.active, false);
});

test('each form of a registered value is replaced, everywhere in the text', () => {
  const redactor = new SecretRedactor();
  redactor.register(SECRET);
  for (const [name, encode] of Object.entries(encodings)) {
    const text = `x${encode(SECRET)}y ${encode(SECRET)}`;
    assert.equal(redactor.redact(text), `x${REDACTED}y ${REDACTED}`, name);
  }
  assert.equal(redactor.redact(`btoa: ${btoa(SECRET)}`), `btoa: ${REDACTED}`);
});

test('forms with characters that change under encoding', () => {
  const value = 'p@ss "word"/<é>';
  const redactor = new SecretRedactor();
  redactor.register(value);
  assert.equal(redactor.redact(JSON.stringify({ value })), `{"value":"${REDACTED}"}`);
  assert.equal(redactor.redact(`?k=${encodeURIComponent(value)}&`), `?k=${REDACTED}&`);
  assert.equal(redactor.redact('<b>p@ss &quot;word&quot;/&lt;é&gt;</b>'), `<b>${REDACTED}</b>`);
  assert.deepEqual(secretForms('abcd').length, new Set(secretForms('abcd')).size);
  assert.ok(!secretForms('abcd').slice(1).includes('abcd'), 'no form repeats the value');
});

test('longest form first: a secret containing another goes whole', () => {
  const redactor = new SecretRedactor();
  redactor.register('abcd');
  redactor.register('abcd-efgh');
  assert.equal(redactor.redact('[abcd-efgh]'), `[${REDACTED}]`);
});

test('short values are still registered; the empty value is ignored', () => {
  const redactor = new SecretRedactor();
  redactor.register('');
  assert.equal(redactor.redact('anything'), 'anything');
  redactor.register('xy');
  assert.equal(redactor.redact('axyb'), `a${REDACTED}b`);
});

test('regex metacharacters in a value are literal', () => {
  const redactor = new SecretRedactor();
  redactor.register('a.b*c(d)|e');
  assert.equal(redactor.redact('a.b*c(d)|e aXbbc'), `${REDACTED} aXbbc`);
});

// Secrets without brackets: `[` and `]` could join with the `[REDACTED]` marker into a new match.
const secretArb = fc.string({ minLength: 4, maxLength: 40, unit: 'binary' }).filter((s) => !/[[\]]/.test(s));
const textArb = fc.string({ maxLength: 60, unit: 'binary' });

test('property: a secret embedded anywhere, in any form, is gone after redaction', () => {
  fc.assert(
    fc.property(
      secretArb,
      fc.array(fc.tuple(textArb, fc.constantFrom(...Object.keys(encodings))), { minLength: 1, maxLength: 4 }),
      textArb,
      (secret, parts, tail) => {
        const redactor = new SecretRedactor();
        redactor.register(secret);
        const text = parts.map(([before, form]) => before + encodings[form]!(secret)).join('') + tail;
        const redacted = redactor.redact(text);
        assert.ok(redacted.includes(REDACTED));
        // Between the markers, no form of the secret is left (a form may only be the marker's own text).
        for (const piece of redacted.split(REDACTED)) {
          for (const form of secretForms(secret))
            assert.ok(!piece.includes(form), JSON.stringify({ piece, form }));
        }
      },
    ),
    { numRuns: 500 },
  );
});
