/**
 * Which elements and attributes user markup may keep: the allowlist of the host's sanitizer
 * (src/outputs/sanitize.ts: `html` outputs, rendered Markdown, SVG in reports and the editor's outputs) and of
 * the editor's own Markdown rendering (src/ui/sanitize.ts), so the two show the same things. Data
 * only: it is imported by the browser bundle too.
 */

export const HTML_TAGS = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'col', 'colgroup', 'dd', 'del',
  'details', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp', 'small', 'span',
  'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr',
  'u', 'ul', 'var', 'wbr', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside',
]; // prettier-ignore

// Lower case: the parser lowercases names, and the HTML parser restores SVG's camelCase in the page.
export const SVG_TAGS = [
  'svg', 'g', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan',
  'title', 'desc', 'defs', 'clippath', 'lineargradient', 'radialgradient', 'stop', 'pattern', 'mask',
]; // prettier-ignore

export const SVG_ATTRIBUTES = [
  'viewbox', 'width', 'height', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'd',
  'points', 'dx', 'dy', 'transform', 'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width',
  'stroke-opacity', 'stroke-dasharray', 'stroke-dashoffset', 'stroke-linecap', 'stroke-linejoin',
  'stroke-miterlimit', 'opacity', 'clip-path', 'clip-rule', 'mask', 'display', 'visibility',
  'font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline',
  'alignment-baseline', 'pointer-events', 'preserveaspectratio', 'offset', 'stop-color',
  'stop-opacity', 'gradientunits', 'gradienttransform', 'patternunits', 'clippathunits',
  'xmlns', 'version', 'role', 'aria-label', 'aria-roledescription', 'aria-hidden', 'id',
]; // prettier-ignore

/** Per tag (`*`: every tag), the attributes kept. URLs are checked by scheme on top of this. */
export const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['class', 'title', 'lang', 'dir', 'style', 'align', 'aria-label'],
  a: ['href', 'name', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan', 'scope'],
  col: ['span'],
  ol: ['start', 'type'],
  details: ['open'],
  time: ['datetime'],
  ...Object.fromEntries(SVG_TAGS.map((tag) => [tag, SVG_ATTRIBUTES])),
};
