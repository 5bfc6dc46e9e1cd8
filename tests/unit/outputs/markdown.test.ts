import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from '../../../src/outputs/markdown.js';

describe('renderMarkdown', () => {
  it('renders CommonMark', () => {
    assert.equal(
      renderMarkdown('# Title\n\nSome *text* and `code`.'),
      '<h1>Title</h1>\n<p>Some <em>text</em> and <code>code</code>.</p>\n',
    );
  });

  it('linkifies bare URLs and keeps straight quotes (typographer off)', () => {
    const out = renderMarkdown('See https://example.com "quoted" -- ok');
    assert.match(out, /<a href="https:\/\/example.com">https:\/\/example.com<\/a>/);
    assert.match(out, /"quoted" -- ok/);
  });

  it('allows raw HTML but sanitizes it', () => {
    const out = renderMarkdown(
      '<b>bold</b> <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))',
    );
    assert.match(out, /<b>bold<\/b>/);
    assert.doesNotMatch(out, /onerror|<script|href="javascript:/);
  });

  it('renders tables', () => {
    assert.match(
      renderMarkdown('| a | b |\n|---|--:|\n| 1 | 2 |'),
      /<table>[\s\S]*<th>a<\/th>[\s\S]*<td style="text-align:right">2<\/td>/,
    );
  });
});
