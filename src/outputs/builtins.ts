/**
 * The output builtins every cell can use (DESIGN §3): `html`, `md`, `vegalite` and `escapeHtml`.
 * Runs inside the kernel process, so it imports nothing heavy: sanitizing and rendering happen on
 * the host (prepare.ts, render/), never here — the kernel is not trusted to sanitize its own output.
 */
import { escapeHtml } from './escape.js';
import {
  HTML_VALUE,
  MARKDOWN_VALUE,
  VEGALITE_VALUE,
  isHtmlValue,
  isMarkdownValue,
  isTableValue,
  type HtmlValue,
  type MarkdownValue,
  type VegaLiteValue,
} from './values.js';

export { escapeHtml };

function makeHtml(markup: string): HtmlValue {
  return { [HTML_VALUE]: true, html: markup, toString: () => markup };
}

function makeMarkdown(text: string): MarkdownValue {
  return { [MARKDOWN_VALUE]: true, markdown: text, toString: () => text };
}

/** One interpolated value as markup: nested HtmlValues stay markup, arrays are joined, the rest is escaped text. */
function htmlPart(value: unknown): string {
  if (isHtmlValue(value)) return value.html;
  if (Array.isArray(value)) return value.map(htmlPart).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** One interpolated value as Markdown text: arrays are joined, everything else is its string form. */
function markdownPart(value: unknown): string {
  if (isMarkdownValue(value)) return value.markdown;
  if (Array.isArray(value)) return value.map(markdownPart).join('');
  if (value === undefined || value === null) return '';
  return String(value);
}

function interleave(strings: TemplateStringsArray, values: unknown[], part: (v: unknown) => string): string {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? '');
  return out;
}

/**
 * `html\`<b>${name}</b>\`` — interpolated values are HTML-escaped, except HtmlValues (inserted as
 * markup) and arrays (each item by the same rule, joined). `null`, `undefined` and `false` insert
 * nothing, so `${cond && html\`…\`}` reads naturally.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): HtmlValue {
  return makeHtml(interleave(strings, values, htmlPart));
}

/** `md\`# ${title}\`` — values are inserted as their text (Markdown in them is rendered, HTML is sanitized later). */
export function md(strings: TemplateStringsArray, ...values: unknown[]): MarkdownValue {
  return makeMarkdown(interleave(strings, values, markdownPart));
}

/** `data.values` may be a SQL result: the chart takes its rows. */
function resolveData(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const values = (data as { values?: unknown }).values;
  if (!isTableValue(values)) return data;
  return { ...data, values: values.rows };
}

/** `vegalite(spec)` — a Vega-Lite chart; the spec must be an object. */
export function vegalite(spec: unknown): VegaLiteValue {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    const got = spec === null ? 'null' : Array.isArray(spec) ? 'an array' : typeof spec;
    throw new TypeError(`vegalite(spec) expects a Vega-Lite spec object, got ${got}`);
  }
  const copy: Record<string, unknown> = { ...(spec as Record<string, unknown>) };
  if ('data' in copy) copy.data = resolveData(copy.data);
  return { [VEGALITE_VALUE]: true, spec: copy };
}
