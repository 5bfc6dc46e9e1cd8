/**
 * The rich values that the kernel builtins (`html`, `md`, `vegalite`) create, and how to recognise
 * them. Owns only the markers and guards; must stay free of imports so the kernel loads it cheaply.
 *
 * Markers are `Symbol.for(...)` so that a value made by one copy of this module (say, the kernel's
 * bundle) is recognised by another copy (the host's display code).
 */
import { TABLE_VALUE, type TableValue } from './types.js';

export const HTML_VALUE = Symbol.for('quire.html');
export const MARKDOWN_VALUE = Symbol.for('quire.markdown');
export const VEGALITE_VALUE = Symbol.for('quire.vegalite');

/** HTML made with the `html` template: its text is trusted to be markup (it is still sanitized on the host). */
export interface HtmlValue {
  readonly [HTML_VALUE]: true;
  readonly html: string;
  toString(): string;
}

/** Markdown made with the `md` template. */
export interface MarkdownValue {
  readonly [MARKDOWN_VALUE]: true;
  readonly markdown: string;
  toString(): string;
}

/** A chart made with `vegalite(spec)`. */
export interface VegaLiteValue {
  readonly [VEGALITE_VALUE]: true;
  readonly spec: Record<string, unknown>;
}

function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

export function isHtmlValue(value: unknown): value is HtmlValue {
  return hasMarker(value, HTML_VALUE);
}

export function isMarkdownValue(value: unknown): value is MarkdownValue {
  return hasMarker(value, MARKDOWN_VALUE);
}

export function isVegaLiteValue(value: unknown): value is VegaLiteValue {
  return hasMarker(value, VEGALITE_VALUE);
}

export function isTableValue(value: unknown): value is TableValue {
  return hasMarker(value, TABLE_VALUE);
}
