/**
 * Notebook bytes ↔ text without loss, for files that are not valid UTF-8 (a Latin-1 `é` pasted
 * into a prose paragraph, a stray byte in a code cell). The editor works on text; a save must
 * still write back every byte of every cell that was not edited exactly as it was (DESIGN §2
 * rule 6), which plain UTF-8 decoding cannot do: each invalid byte becomes U+FFFD, for good.
 *
 * The scheme is Python's "surrogateescape": each byte that is not part of a valid UTF-8 sequence
 * decodes to the lone surrogate U+DC80–U+DCFF (U+DC00 + the byte), and encoding turns such a lone
 * surrogate back into its byte. Valid UTF-8 never decodes to a lone surrogate, so the mapping is
 * one-to-one: `encode(decode(bytes))` is `bytes` for every byte string. A valid file decodes
 * exactly as `TextDecoder` (BOM kept) and a text without escapes encodes exactly as UTF-8.
 * Pure: no I/O.
 */

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** A low surrogate U+DC80–U+DCFF not preceded by a high surrogate: an escaped byte. */
const ESCAPED_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** The length of the valid UTF-8 sequence at `i` (1-4), or 0 when the byte there starts none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // No overlongs (E0 needs A0+), no surrogates (ED needs ≤9F).
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    // No overlongs (F0 needs 90+), nothing past U+10FFFF (F4 needs ≤8F).
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** True when `bytes` is valid UTF-8 (decoding it loses nothing). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The text of `bytes`: UTF-8, with each byte that is not valid UTF-8 as U+DC80 + (byte − 0x80). */
export function decodeLossless(bytes: Uint8Array): string {
  try {
    return fatal.decode(bytes);
  } catch {
    // not valid UTF-8: escape the invalid bytes below
  }
  const parts: string[] = [];
  let start = 0; // the first byte of the valid run being collected
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (start < i) parts.push(fatal.decode(bytes.subarray(start, i)));
    parts.push(String.fromCharCode(0xdc00 + bytes[i]!));
    i += 1;
    start = i;
  }
  if (start < bytes.length) parts.push(fatal.decode(bytes.subarray(start)));
  return parts.join('');
}

/** The bytes of `text`: UTF-8, with each escaped byte (see decodeLossless) written back as itself. */
export function encodeLossless(text: string): Uint8Array {
  if (!ESCAPED_BYTE.test(text)) return encoder.encode(text);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++; // a pair: ordinary UTF-8
      continue;
    }
    if (unit < 0xdc80 || unit > 0xdcff) continue;
    if (start < i) chunks.push(encoder.encode(text.slice(start, i)));
    chunks.push(Uint8Array.of(unit - 0xdc00));
    start = i + 1;
  }
  if (start < text.length) chunks.push(encoder.encode(text.slice(start)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
