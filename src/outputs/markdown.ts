/**
 * Markdown to safe HTML for prose cells and `md` outputs (host side). Raw HTML in Markdown is
 * allowed by the parser and then held to the same sanitizing policy as `html` outputs.
 */
import MarkdownIt from 'markdown-it';
import { sanitizeHtml } from './sanitize.js';

let parser: InstanceType<typeof MarkdownIt> | undefined;

function markdownIt(): InstanceType<typeof MarkdownIt> {
  parser ??= new MarkdownIt({ html: true, linkify: true, typographer: false });
  return parser;
}

export function renderMarkdown(text: string): string {
  return sanitizeHtml(markdownIt().render(text));
}
