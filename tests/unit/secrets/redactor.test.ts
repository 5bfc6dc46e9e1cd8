/** SecretRedactor: every registered value, in every form it is redacted in, becomes [REDACTED]. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MIN_FRAGMENT_LENGTH, MIN_LINE_LENGTH, secretLines } from '../../../src/secrets/forms.js';
import { REDACTED, SecretRedactor, secretForms } from '../../../src/secrets/redactor.js';
import { assertNoWholeValueDecodes, encodings, leak } from './leaks.js';

const SECRET = 'sk-live-1234567890abcdef';

/** Every alignment of the value's bytes, as base64, with other bytes around it. */
const SHIFTED = ['', 'u', 'us', 'use', 'user:'];

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
    assert.ok(!redactor.redact(text).includes(encode(SECRET)), name);
    assert.ok(redactor.redact(text).includes(REDACTED), name);
  }
  assert.equal(redactor.redact(`btoa: ${btoa(SECRET)}`), `btoa: ${REDACTED}`);
});

test('forms with characters that change under encoding', () => {
  const value = 'p@ss "word"/<é>';
  const redactor = new SecretRedactor();
  redactor.register(value);
  assert.equal(redactor.redact(JSON.stringify({ value })), `{"value":"${REDACTED}"}`);
  assert.equal(redactor.redact(`?k=${encodeURIComponent(value)}&`), `?k=${REDACTED}&`);
  assert.equal(redactor.redact(`?${new URLSearchParams({ k: value })}&`), `?k=${REDACTED}&`);
  assert.equal(redactor.redact('<b>p@ss &quot;word&quot;/&lt;é&gt;</b>'), `<b>${REDACTED}</b>`);
  // Python's json.dumps escapes non-ASCII by default
  assert.equal(redactor.redact('{"v": "p@ss \\"word\\"/<\\u00e9>"}'), `{"v": "${REDACTED}"}`);
  assert.deepEqual(secretForms('abcd').length, new Set(secretForms('abcd')).size);
  assert.ok(!secretForms('abcd').slice(1).includes('abcd'), 'no form repeats the value');
});

test('JSON-escaped twice: a record holding a JSON string holding the value', () => {
  const value = 'tok"en\\with\nbreak';
  const redactor = new SecretRedactor();
  redactor.register(value);
  const twice = JSON.stringify({ body: JSON.stringify({ token: value }) });
  const redacted = redactor.redact(twice);
  assert.equal(redacted, `{"body":"{\\"token\\":\\"${REDACTED}\\"}"}`);
  // and three times over still leaves no whole value once decoded twice
  assert.ok(!JSON.parse(JSON.parse(redacted).body).token.includes(value));
});

test('base64 at all three alignments: Basic auth and a value inside a larger payload', () => {
  const redactor = new SecretRedactor();
  redactor.register(SECRET);
  for (const before of SHIFTED) {
    for (const after of ['', 'z', 'zz', '@host']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(before + SECRET + after).toString(encoding);
        const redacted = redactor.redact(encoded);
        assert.ok(redacted.includes(REDACTED), `${encoding} of ${before}…${after}`);
        assertNoWholeValueDecodes(redacted, SECRET);
      }
    }
  }
  const header = `Authorization: Basic ${btoa(`ana:${SECRET}`)}`;
  assert.match(redactor.redact(header), /^Authorization: Basic YW5hO.\[REDACTED\]/);
});

test('a multi-line value: CRLF, LF, and each line of a PEM key printed on its own', () => {
  const bytes = Buffer.from(Array.from({ length: 190 }, (_, i) => (i * 37) % 251));
  const body = bytes.toString('base64').match(/.{1,64}/g)!;
  const pem = ['-----BEGIN PRIVATE KEY-----', ...body, '-----END PRIVATE KEY-----'].join('\n');
  const redactor = new SecretRedactor();
  redactor.register(pem);
  assert.equal(redactor.redact(`key:\n${pem}\n`), `key:\n${REDACTED}\n`);
  assert.equal(redactor.redact(pem.replace(/\n/g, '\r\n')), REDACTED);
  const numbered = pem
    .split('\n')
    .map((line, i) => `${i + 1}: ${line}`)
    .join('\n');
  const redacted = redactor.redact(numbered);
  for (const line of pem.split('\n')) assert.ok(!redacted.includes(line), line);
  assert.equal(redacted.split('\n').length, pem.split('\n').length);
  // a value written with CRLF is also caught with LF
  const crlf = new SecretRedactor();
  crlf.register('line one is long\r\nline two is long');
  assert.equal(crlf.redact('line one is long\nline two is long'), REDACTED);
});

test(`lines shorter than ${MIN_LINE_LENGTH} characters are not redacted on their own`, () => {
  const value = '{\n  "private_key": "abcdefghijklmnop"\n}';
  assert.deepEqual(secretLines(value), ['"private_key": "abcdefghijklmnop"']);
  const redactor = new SecretRedactor();
  redactor.register(value);
  assert.equal(redactor.redact('if (x) {\n}'), 'if (x) {\n}');
  assert.equal(redactor.redact('  "private_key": "abcdefghijklmnop",'), `  ${REDACTED},`);
  assert.deepEqual(secretLines('single line'), []);
});

test('a value read with a trailing newline is caught trimmed', () => {
  const redactor = new SecretRedactor();
  redactor.register('abc123\n');
  assert.equal(redactor.redact('Bearer abc123.'), `Bearer ${REDACTED}.`);
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
  assert.equal(redactor.active, false);
  redactor.register('xy');
  assert.equal(redactor.redact('axyb'), `a${REDACTED}b`);
  // a short value's base64 middles would match any base64 text: only whole encodings are kept
  assert.ok(secretForms('xy').every((form) => form.length >= 2));
  assert.ok(secretForms('abc').filter((form) => form.length < MIN_FRAGMENT_LENGTH).length <= 6);
});

test('regex metacharacters in a value are literal', () => {
  const redactor = new SecretRedactor();
  redactor.register('a.b*c(d)|e');
  assert.equal(redactor.redact('a.b*c(d)|e aXbbc'), `${REDACTED} aXbbc`);
});

test('[REDACTED] is a wall: a value that is part of the marker does not eat it', () => {
  const redactor = new SecretRedactor();
  redactor.register('RED');
  redactor.register('D]x');
  const once = redactor.redact('RED alert: RED');
  assert.equal(once, `${REDACTED} alert: ${REDACTED}`);
  assert.equal(redactor.redact(once), once);
  assert.equal(redactor.redact(`${REDACTED}x`), `${REDACTED}x`);
});

test('property: [REDACTED] stays a wall for values that share characters with it', () => {
  // The text is searched for markers only when some form could overlap one: these values can.
  const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const unit = fc.constantFrom('[', 'R', 'E', 'D', 'A', 'C', 'T', ']', 'x');
  fc.assert(
    fc.property(
      fc.array(fc.string({ minLength: 1, maxLength: 12, unit }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.oneof(fc.string({ maxLength: 12, unit }), fc.constant(REDACTED)), { maxLength: 8 }),
      (values, parts) => {
        const forms = values.flatMap(secretForms);
        fc.pre(!forms.some((form) => form.includes(REDACTED)));
        const text = parts.join('');
        const redactor = new SecretRedactor();
        for (const value of values) redactor.register(value);
        // the reference: each stretch between markers on its own, the longest form first
        const pattern = new RegExp(
          [...new Set(forms)]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join('|'),
          'g',
        );
        const expected = text
          .split(REDACTED)
          .map((stretch) => stretch.replace(pattern, REDACTED))
          .join(REDACTED);
        assert.equal(redactor.redact(text), expected);
      },
    ),
    { numRuns: 1000 },
  );
});

test('a value containing the marker itself is still redacted', () => {
  const redactor = new SecretRedactor();
  redactor.register('x[REDACTED]y');
  assert.equal(redactor.redact('a x[REDACTED]y b'), `a ${REDACTED} b`);
});

test('a one-letter secret in a big text: every occurrence, no stack overflow', () => {
  const redactor = new SecretRedactor();
  redactor.register('e');
  const text = 'e'.repeat(300_000);
  assert.equal(redactor.redact(text), REDACTED.repeat(300_000));
});

// ---- properties ----

/** Values as they come: unicode, quotes, backslashes, line breaks, one character or many. */
const valueArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
  fc.string({
    minLength: 1,
    maxLength: 40,
    unit: fc.constantFrom('a', 'Z', '"', '\\', '\n', '\r', ' ', 'é', '🔑', '/'),
  }),
  fc
    .array(fc.string({ minLength: 8, maxLength: 30, unit: 'grapheme-ascii' }), { minLength: 2, maxLength: 4 })
    .map((lines) => lines.join('\n')),
);
const textArb = fc.string({ maxLength: 60, unit: 'binary' });

/** No form of `value` is left between the markers of `redacted`. */
function assertNoForm(redacted: string, value: string): void {
  for (const piece of redacted.split(REDACTED)) {
    for (const form of secretForms(value)) assert.ok(!piece.includes(form), JSON.stringify({ piece, form }));
  }
}

test('property: a secret embedded anywhere, in any form, is gone after redaction', () => {
  fc.assert(
    fc.property(
      valueArb,
      fc.array(fc.tuple(textArb, fc.constantFrom(...Object.keys(encodings))), { minLength: 1, maxLength: 4 }),
      textArb,
      (value, parts, tail) => {
        const redactor = new SecretRedactor();
        redactor.register(value);
        const text = parts.map(([before, form]) => before + leak(form, value)).join('') + tail;
        const redacted = redactor.redact(text);
        assert.ok(redacted.includes(REDACTED));
        assertNoForm(redacted, value);
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: base64 of the value after any prefix decodes to no whole value', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: MIN_FRAGMENT_LENGTH, maxLength: 40, unit: 'binary' }),
      fc.string({ maxLength: 8 }),
      fc.string({ maxLength: 8 }),
      (value, before, after) => {
        const redactor = new SecretRedactor();
        redactor.register(value);
        const redacted = redactor.redact(Buffer.from(before + value + after).toString('base64'));
        assertNoWholeValueDecodes(redacted, value);
      },
    ),
    { numRuns: 500 },
  );
});

test('property: redaction is idempotent', () => {
  fc.assert(
    fc.property(fc.array(valueArb, { minLength: 1, maxLength: 3 }), textArb, textArb, (values, a, b) => {
      const redactor = new SecretRedactor();
      for (const value of values) redactor.register(value);
      const once = redactor.redact(a + values.join(b) + b + REDACTED + a);
      assert.equal(redactor.redact(once), once);
    }),
    { numRuns: 1000 },
  );
});

test(`property: text without the secret is unchanged (secrets of ${MIN_LINE_LENGTH}+ characters)`, () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: MIN_LINE_LENGTH, maxLength: 40, unit: 'binary' }),
      fc.string({ maxLength: 200, unit: 'binary' }),
      (value, text) => {
        // the value, or a line of it (a line of a multi-line value is redacted on its own)
        fc.pre(![value.trim(), ...secretLines(value)].some((part) => text.includes(part)));
        const redactor = new SecretRedactor();
        redactor.register(value);
        assert.equal(redactor.redact(text), text);
        assert.equal(redactor.redact(text + REDACTED + text), text + REDACTED + text);
      },
    ),
    { numRuns: 1000 },
  );
});
