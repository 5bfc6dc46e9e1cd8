/**
 * Test helpers: how a value leaves a cell by accident, written here independently of forms.ts, and
 * an oracle that knows nothing of forms (shared by redactor.test.ts and stream-tail.test.ts).
 */
import assert from 'node:assert/strict';
import { REDACTED } from '../../../src/secrets/redactor.js';

/** Written here independently of forms.ts: how a value leaves a cell, by accident. */
export const encodings: Record<string, (v: string) => string> = {
  plain: (v) => v,
  json: (v) => JSON.stringify(v).slice(1, -1),
  jsonTwice: (v) => JSON.stringify(JSON.stringify({ key: v })),
  url: (v) => encodeURIComponent(v),
  form: (v) => new URLSearchParams({ q: v }).toString(),
  html: (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
  base64: (v) => Buffer.from(v).toString('base64'),
  base64url: (v) => Buffer.from(v).toString('base64url'),
  basicAuth: (v) => 'Basic ' + Buffer.from(`user:${v}`).toString('base64'),
  base64Shift1: (v) => Buffer.from(`x${v}yz`).toString('base64'),
  base64Shift2: (v) => Buffer.from(`xy${v}z`).toString('base64'),
  base64urlShift1: (v) => Buffer.from(`{${v}}`).toString('base64url'),
  crlf: (v) => v.replace(/\r?\n/g, '\r\n'),
  lf: (v) => v.replace(/\r\n/g, '\n'),
  trimmed: (v) => v.trim(),
};

/**
 * The encodings that put the value at another byte alignment inside a larger base64 payload: its
 * stable middle is registered from this many bytes of value (MIN_FRAGMENT_LENGTH characters at
 * every alignment).
 */
export const SHIFTED_ENCODINGS = new Set(['basicAuth', 'base64Shift1', 'base64Shift2', 'base64urlShift1']);
export const SHIFTED_MIN_BYTES = 7;

/**
 * `value` as the encoding `name` leaks it, or the value itself where the redactor does not promise
 * to catch that encoding: inside a larger base64 payload a value too short to leave 8 stable
 * characters, and a value of blanks only has no trimmed form (it trims to nothing).
 */
export function leak(name: string, value: string): string {
  const encoded = encodings[name]!(value);
  return (SHIFTED_ENCODINGS.has(name) && Buffer.byteLength(value) < SHIFTED_MIN_BYTES) || encoded === ''
    ? value
    : encoded;
}

/**
 * An oracle that knows nothing of forms: what is left between the markers, decoded as base64 or
 * base64url from each of its 4 offsets, holds no whole value.
 */
export function assertNoWholeValueDecodes(redacted: string, value: string): void {
  const bytes = Buffer.from(value);
  for (const piece of redacted.split(REDACTED)) {
    for (let offset = 0; offset < 4; offset++) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const decoded = Buffer.from(piece.slice(offset), encoding);
        assert.ok(!decoded.includes(bytes), JSON.stringify({ value, piece, offset, encoding }));
      }
    }
  }
}
