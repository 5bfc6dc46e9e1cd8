/**
 * Markdown to HTML for prose cells and `text/markdown` outputs, as the host renders it for reports
 * (src/outputs/markdown.ts): markdown-it with raw HTML on, then sanitized against the same
 * allowlist (sanitize.ts), so `<details>` in prose or an `html` value in a `${…}` shows as markup
 * and a `<script>` never runs. `${…}` interpolations are shown as written until live values arrive.
 */
import MarkdownIt from 'markdown-it';
import { sanitizeMarkup } from './sanitize.js';

const md = new MarkdownIt({ html: true, linkify: true, typographer: false });

// Links open outside the editor and never send a Referer (the URL may carry a login token).
const defaultLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  token?.attrSet('target', '_blank');
  token?.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return sanitizeMarkup(md.render(text));
}
