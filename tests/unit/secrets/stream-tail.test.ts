/**
 * A secret split across stream chunks (written a character at a time, or in two halves) is
 * redacted in what the session keeps: the gate cuts the begun part from the earlier chunks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { prepareOutput } from '../../../src/outputs/prepare.js';
import { MIME, type Output, type StreamData } from '../../../src/outputs/types.js';
import { REDACTED, SecretRedactor, secretForms } from '../../../src/secrets/redactor.js';
import { redactAcrossChunks } from '../../../src/secrets/stream-tail.js';
import { assertNoWholeValueDecodes, encodings, leak } from './leaks.js';

const KEY = 'sk-live-1234567890abcdef';

const stream = (text: string, name: StreamData['name'] = 'stdout'): Output => ({
  mime: MIME.stream,
  data: { name, text },
});

/** 49 API-key-like secrets, as many runs register: with them the matcher skips text by its window. */
const OTHER_KEYS = Array.from(
  { length: 49 },
  (_, i) => `sk_${i}_${createHash('sha256').update(String(i)).digest('base64url').slice(0, 24)}`,
);

/** `text` written as stream chunks cut at `cuts` (positions, any order, any size). */
function writeCut(s: ReturnType<typeof session>, text: string, cuts: number[]): void {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let last = 0;
  for (const point of [...points, text.length]) {
    if (point > last) s.write(stream(text.slice(last, point)));
    last = point;
  }
}

/** A session's output list fed through the gate, as engine/session.ts keeps it. */
function session(values: string[] | SecretRedactor) {
  const redactor = values instanceof SecretRedactor ? values : new SecretRedactor();
  for (const value of values instanceof SecretRedactor ? [] : values) redactor.register(value);
  const gate = redactAcrossChunks(redactor, (output) => prepareOutput(output, { redactor }));
  const kept: Output[] = [];
  const write = (output: Output) => kept.push(gate(output));
  const text = (name: StreamData['name'] = 'stdout') =>
    kept
      .filter((o) => o.mime === MIME.stream && (o.data as StreamData).name === name)
      .map((o) => (o.data as StreamData).text)
      .join('');
  return { write, text, kept };
}

test('a value written a character at a time', () => {
  const s = session([KEY]);
  for (const ch of `key=${KEY};`) s.write(stream(ch));
  assert.equal(s.text(), `key=${REDACTED};`);
});

test('a value written in two halves, around other outputs and the other stream', () => {
  const s = session([KEY]);
  s.write(stream(`the key is ${KEY.slice(0, 10)}`));
  s.write({ mime: MIME.text, data: 'a display in between' });
  s.write(stream('stderr text', 'stderr'));
  s.write(stream(`${KEY.slice(10)} and more`));
  assert.equal(s.text(), `the key is ${REDACTED} and more`);
  assert.equal(s.text('stderr'), 'stderr text');
  assert.equal(s.kept[1]?.data, 'a display in between');
});

test('an encoded form split across chunks (base64 printed in pieces)', () => {
  const s = session([KEY]);
  const encoded = Buffer.from(`user:${KEY}`).toString('base64');
  for (let i = 0; i < encoded.length; i += 5) s.write(stream(encoded.slice(i, i + 5)));
  const text = s.text();
  assert.ok(text.includes(REDACTED), text);
  assert.ok(!Buffer.from(text.replace(REDACTED, ''), 'base64').includes(KEY));
});

test('chunks with no secret pass unchanged, and nothing is kept without secrets', () => {
  const s = session([]);
  s.write(stream('plain '));
  s.write(stream('text'));
  assert.equal(s.text(), 'plain text');
  const t = session([KEY]);
  t.write(stream('sk-live-'));
  t.write(stream('but not the rest'));
  assert.equal(t.text(), 'sk-live-but not the rest');
});

test('property: however a text is cut into chunks, no form of the secret is left whole', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }),
        fc.constantFrom(KEY, 'line one is long\nline two is long'),
      ),
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 40 }),
      fc.array(fc.nat(200), { maxLength: 12 }),
      (value, before, after, cuts) => {
        const text = before + value + after + value;
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const s = session([value]);
        let last = 0;
        for (const point of [...points, text.length]) {
          if (point > last) s.write(stream(text.slice(last, point)));
          last = point;
        }
        const kept = s.text();
        for (const piece of kept.split(REDACTED)) {
          for (const form of secretForms(value))
            assert.ok(!piece.includes(form), JSON.stringify({ piece, form }));
        }
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: text without the secret is kept whole, however it is cut', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), fc.array(fc.nat(80), { maxLength: 10 }), (text, cuts) => {
      fc.pre(!text.includes(KEY.slice(0, 8)));
      const s = session([KEY]);
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      let last = 0;
      for (const point of [...points, text.length]) {
        if (point > last) s.write(stream(text.slice(last, point)));
        last = point;
      }
      assert.equal(s.text(), text);
    }),
    { numRuns: 500 },
  );
});

test('every form, cut at every point into two or three chunks, with 50 registered, is cut away', () => {
  const multiLine = 'line one is long\r\nline "two" <is> long\n';
  // HTML-escaped, the longest form of all, and one that holds no shorter form to cut it first
  const escapes = '"&<>'.repeat(4);
  const values = [...OTHER_KEYS, KEY, multiLine, escapes];
  const redactor = new SecretRedactor();
  for (const value of values) redactor.register(value);
  // the longest form sets how much of a stream is kept: it is among the forms cut here
  const forms = [...new Set([KEY, OTHER_KEYS[0]!, multiLine, escapes].flatMap(secretForms))];
  assert.equal(Math.max(...forms.map((form) => form.length)), redactor.longestForm);
  for (const form of forms) {
    for (let cut = 0; cut <= form.length; cut++) {
      for (const second of [cut, Math.min(form.length, cut + 3)]) {
        const s = session(redactor);
        writeCut(s, `x${form}y`, [1 + cut, 1 + second]);
        const kept = s.text();
        assert.ok(kept.startsWith('x') && kept.endsWith('y') && kept.includes(REDACTED), kept);
        for (const piece of kept.split(REDACTED)) {
          for (const other of forms) assert.ok(!piece.includes(other), JSON.stringify({ form, cut, kept }));
        }
      }
    }
  }
});

/** Values as they come: any characters, the characters that escape, multi-line, API keys. */
const valueArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }),
  fc.string({
    minLength: 1,
    maxLength: 30,
    unit: fc.constantFrom('a', 'Z', '"', '\\', '\n', '\r', ' ', 'é', '🔑', '/', '+', '&'),
  }),
  fc
    .array(fc.string({ minLength: 8, maxLength: 20, unit: 'grapheme-ascii' }), { minLength: 2, maxLength: 3 })
    .map((lines) => lines.join('\n')),
  fc.constantFrom(KEY, 'line one is long\nline two is long'),
);

test('property: a secret in any form, among 50, cut at any chunk borders, is never kept whole', () => {
  fc.assert(
    fc.property(
      valueArb,
      fc.array(fc.tuple(fc.string({ maxLength: 30 }), fc.constantFrom(...Object.keys(encodings))), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.string({ maxLength: 30 }),
      fc.array(fc.nat(400), { maxLength: 16 }),
      (value, parts, tail, cuts) => {
        const s = session([...OTHER_KEYS, value]);
        const leaked = parts.map(([, name]) => leak(name, value));
        writeCut(s, parts.map(([before], i) => before + leaked[i]).join('') + tail, cuts);
        const kept = s.text();
        for (const piece of kept.split(REDACTED)) {
          for (const form of [...leaked, ...secretForms(value)])
            assert.ok(!piece.includes(form), JSON.stringify({ piece, form }));
        }
        if (Buffer.byteLength(value) >= 7) assertNoWholeValueDecodes(kept, value);
      },
    ),
    { numRuns: 200 },
  );
});

test('property: text without secrets is kept byte for byte, with 50 registered, however it is cut', () => {
  const forms = [...new Set([...OTHER_KEYS, KEY].flatMap(secretForms))];
  // One redactor for every run (its matcher is built once); each run is a new session's gate.
  const redactor = new SecretRedactor();
  for (const value of [...OTHER_KEYS, KEY]) redactor.register(value);
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ maxLength: 40, unit: 'binary' }), fc.constant(REDACTED)), {
        maxLength: 8,
      }),
      fc.array(fc.nat(400), { maxLength: 16 }),
      (parts, cuts) => {
        const text = parts.join('');
        fc.pre(!forms.some((form) => text.includes(form)));
        const s = session(redactor);
        writeCut(s, text, cuts);
        assert.equal(s.text(), text);
      },
    ),
    { numRuns: 1000 },
  );
});
