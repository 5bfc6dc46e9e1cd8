/**
 * A secret split across stream chunks (written a character at a time, or in two halves) is
 * redacted in what the session keeps: the gate cuts the begun part from the earlier chunks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { prepareOutput } from '../../../src/outputs/prepare.js';
import { MIME, type Output, type StreamData } from '../../../src/outputs/types.js';
import { REDACTED, SecretRedactor, secretForms } from '../../../src/secrets/redactor.js';
import { redactAcrossChunks } from '../../../src/secrets/stream-tail.js';

const KEY = 'sk-live-1234567890abcdef';

const stream = (text: string, name: StreamData['name'] = 'stdout'): Output => ({
  mime: MIME.stream,
  data: { name, text },
});

/** A session's output list fed through the gate, as engine/session.ts keeps it. */
function session(values: string[]) {
  const redactor = new SecretRedactor();
  for (const value of values) redactor.register(value);
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
