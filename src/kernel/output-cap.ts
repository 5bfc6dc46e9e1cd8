/**
 * The per-execution output budget. Both ends apply it: the runtime so that a cell printing 100 MB
 * never sends more than the cap, the host because a hostile cell can bypass the runtime (raw
 * `process.send`, native writes to fd 1/2) and the host's memory must stay bounded regardless.
 * Pure: no I/O, no dependencies beyond the output types, so the runtime can load it at startup.
 */
import { MIME, type Output, type StreamData } from '../outputs/types.js';

export const DEFAULT_OUTPUT_CAP_BYTES = 2 * 1024 * 1024;

/** `2 MiB`, `512 KiB`, `100 bytes`: the cap as a person reads it. */
export function formatBytes(bytes: number): string {
  const mib = 1024 * 1024;
  if (bytes >= mib && bytes % mib === 0) return `${bytes / mib} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The one visible marker that replaces everything past the cap. */
export function truncationMarker(capBytes: number): Output {
  const text = `\n… output truncated at ${formatBytes(capBytes)} …\n`;
  return { mime: MIME.stream, data: { name: 'stderr', text } satisfies StreamData };
}

export function isStreamOutput(output: Output): output is { mime: string; data: StreamData } {
  if (output.mime !== MIME.stream) return false;
  const data = output.data as Partial<StreamData> | null;
  return typeof data === 'object' && data !== null && typeof data.text === 'string';
}

/**
 * A rough size in bytes of a structured-clonable value, stopping as soon as it passes `limit`
 * so that measuring a huge value costs no more than the budget it is checked against.
 */
export function approximateSize(value: unknown, limit: number): number {
  let size = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= limit) {
    const item = stack.pop();
    if (typeof item === 'string') size += Buffer.byteLength(item) + 2;
    else if (item === null || typeof item !== 'object') size += 8;
    else if (!seen.has(item)) {
      seen.add(item);
      if (ArrayBuffer.isView(item)) size += item.byteLength;
      else if (item instanceof Map) for (const [k, v] of item) stack.push(k, v);
      else
        for (const [k, v] of Object.entries(item)) {
          size += k.length + 4;
          stack.push(v);
        }
    }
  }
  return size;
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
function cutUtf8(text: string, maxBytes: number): string {
  let cut = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  // A split multi-byte character decodes as U+FFFD (3 bytes): drop it.
  while (Buffer.byteLength(cut) > maxBytes || cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut;
}

export class OutputBudget {
  private used = 0;
  private truncated = false;

  constructor(readonly capBytes: number = DEFAULT_OUTPUT_CAP_BYTES) {}

  get bytesUsed(): number {
    return this.used;
  }

  get isTruncated(): boolean {
    return this.truncated;
  }

  /**
   * What to emit for `output`: itself when it fits; the part of a stream chunk that fits followed by
   * the marker when it crosses the cap; nothing once the cap was passed.
   */
  admit(output: Output): Output[] {
    if (this.truncated) return [];
    const remaining = this.capBytes - this.used;
    if (isStreamOutput(output)) return this.admitStream(output.data, remaining);
    const size = approximateSize(output.data, remaining) + output.mime.length;
    if (size <= remaining) {
      this.used += size;
      return [output];
    }
    return [this.markTruncated()];
  }

  private admitStream(data: StreamData, remaining: number): Output[] {
    const bytes = Buffer.byteLength(data.text);
    if (bytes <= remaining) {
      this.used += bytes;
      return [{ mime: MIME.stream, data }];
    }
    const head = cutUtf8(data.text, remaining);
    this.used += Buffer.byteLength(head);
    const marker = this.markTruncated();
    return head.length > 0
      ? [{ mime: MIME.stream, data: { name: data.name, text: head } }, marker]
      : [marker];
  }

  private markTruncated(): Output {
    this.truncated = true;
    return truncationMarker(this.capBytes);
  }
}
