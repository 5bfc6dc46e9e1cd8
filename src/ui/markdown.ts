/**
 * Markdown to HTML for prose cells and `text/markdown` outputs. markdown-it with raw HTML off:
 * the text is shown as written, and a `<script>` in prose stays text (never markup we did not
 * sanitize). `${…}` interpolations are shown as written until live values arrive over the WebSocket.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

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
  return md.render(text);
}
