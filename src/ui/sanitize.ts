/**
 * The editor's sanitizer for Markdown it renders itself (prose cells, `text/markdown` outputs):
 * DOMPurify held to the host's allowlist (src/outputs/html-policy.ts), so raw HTML in Markdown and
 * `html` values in a prose `${…}` show in the editor as they do in a report. Stricter than the host
 * in one respect: `style` attributes are dropped here (the host filters them property by property).
 * The page's CSP (no inline script) stays the second line of defence.
 */
import DOMPurify from 'dompurify';
import { ALLOWED_ATTRIBUTES, HTML_TAGS, SVG_TAGS } from '../protocol/index.js';

const GLOBAL = new Set(ALLOWED_ATTRIBUTES['*']?.filter((name) => name !== 'style'));
const PER_TAG = new Map(Object.entries(ALLOWED_ATTRIBUTES).map(([tag, names]) => [tag, new Set(names)]));
const ALL_ATTRIBUTES = [...new Set(Object.values(ALLOWED_ATTRIBUTES).flat())].filter((n) => n !== 'style');

/** http, https, mailto, and relative URLs (no scheme) only. */
const SAFE_URL = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

let purify: ReturnType<typeof DOMPurify> | undefined;

function sanitizer(): ReturnType<typeof DOMPurify> {
  if (purify) return purify;
  purify = DOMPurify(window);
  purify.addHook('uponSanitizeAttribute', (node, data) => {
    const tag = node.nodeName.toLowerCase();
    const name = data.attrName.toLowerCase();
    const allowed = GLOBAL.has(name) || PER_TAG.get(tag)?.has(name) === true;
    // SVG paint may point at a fragment of the same document, never at a URL to load.
    const loads = /url\s*\(/i.test(data.attrValue) && !/^\s*url\(\s*#[\w-]+\s*\)\s*$/i.test(data.attrValue);
    const dataUrl = /^\s*data:/i.test(data.attrValue);
    const imageData = tag === 'img' && name === 'src' && /^\s*data:image\//i.test(data.attrValue);
    if (!allowed || loads || (dataUrl && !imageData)) data.keepAttr = false;
  });
  // A link that opens elsewhere must not hand the opener to the target page.
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node instanceof Element && node.hasAttribute('target'))
      node.setAttribute('rel', 'noopener noreferrer');
  });
  return purify;
}

export function sanitizeMarkup(markup: string): string {
  return sanitizer().sanitize(markup, {
    ALLOWED_TAGS: [...HTML_TAGS, ...SVG_TAGS],
    ALLOWED_ATTR: ALL_ATTRIBUTES,
    ALLOWED_URI_REGEXP: SAFE_URL,
    ADD_DATA_URI_TAGS: ['img'],
  });
}
