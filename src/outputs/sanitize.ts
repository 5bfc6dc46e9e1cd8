/**
 * The one HTML sanitizing policy for everything user code can put on a page: `html` outputs,
 * rendered Markdown, SVG. Host side only. An allowlist: anything not named here is dropped.
 *
 * Policy: common formatting, lists, tables, details/summary, links (http, https, mailto, relative),
 * images (http, https, data:image/*), and the SVG elements and presentation attributes charts use.
 * Never script, style elements, iframe/object/embed, forms, event handlers, `javascript:` URLs,
 * SVG `use`/`foreignObject`/animation, or CSS that can load or overlay (`url(…)`, `position`).
 * `style` attributes survive only for a few properties with plain values (colours, lengths, keywords).
 */
import { createRequire } from 'node:module';
import type sanitizeHtmlLib from 'sanitize-html';
import { ALLOWED_ATTRIBUTES, HTML_TAGS, SVG_TAGS } from './html-policy.js';

// Loaded on first use: sanitize-html and its parser cost ~100 ms to load, and most runs have no
// HTML output at all. It is CommonJS, so a synchronous require keeps sanitizeHtml() synchronous.
let library: typeof sanitizeHtmlLib | undefined;
const load = (): typeof sanitizeHtmlLib =>
  (library ??= createRequire(import.meta.url)('sanitize-html') as typeof sanitizeHtmlLib);

const COLOR = [/^#[0-9a-f]{3,8}$/i, /^(rgb|hsl)a?\([\d\s.,%/]+\)$/i, /^[a-z]+$/i];
const LENGTH = [/^-?\d+(\.\d+)?(px|em|rem|%|ch|pt)?$/i];
const KEYWORD = [/^[a-z-]+$/i];

const ALLOWED_STYLES = {
  '*': {
    color: COLOR,
    'background-color': COLOR,
    'text-align': KEYWORD,
    'vertical-align': KEYWORD,
    'font-weight': [/^(\d{3}|bold|normal|lighter|bolder)$/i],
    'font-style': KEYWORD,
    'font-size': LENGTH,
    'text-decoration': [/^[a-z -]+$/i],
    'white-space': KEYWORD,
    width: LENGTH,
    'max-width': LENGTH,
    height: LENGTH,
    padding: [/^(-?\d+(\.\d+)?(px|em|rem|%)?\s*){1,4}$/i],
    margin: [/^(-?\d+(\.\d+)?(px|em|rem|%)?\s*){1,4}$/i],
  },
};

/** SVG paint and clip values may reference only same-document fragments, never a URL to load. */
function safePaint(value: string): boolean {
  return !/url\s*\(/i.test(value) || /^\s*url\(\s*#[\w-]+\s*\)\s*$/i.test(value);
}

/** Per-tag attribute fixes that a scheme allowlist alone cannot express. */
function tightenAttributes(tagName: string, attribs: sanitizeHtmlLib.Attributes): sanitizeHtmlLib.Tag {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (!safePaint(value)) continue;
    if (tagName === 'img' && name === 'src' && /^\s*data:/i.test(value) && !/^\s*data:image\//i.test(value))
      continue;
    out[name] = value;
  }
  // A link that opens elsewhere must not hand the opener to the target page.
  if (out.target) out.rel = 'noopener noreferrer';
  return { tagName, attribs: out };
}

const OPTIONS: sanitizeHtmlLib.IOptions = {
  allowedTags: [...HTML_TAGS, ...SVG_TAGS],
  allowedAttributes: ALLOWED_ATTRIBUTES,
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowProtocolRelative: false,
  allowedStyles: ALLOWED_STYLES,
  transformTags: { '*': tightenAttributes },
};

/** Sanitized markup: safe to insert in a page that also holds other users' content. */
/** Loads the sanitizer now (e.g. while a run waits on its kernel) rather than at first use. */
export function preloadSanitizer(): void {
  load();
}

export function sanitizeHtml(markup: string): string {
  return load()(markup, OPTIONS);
}
