/**
 * What a prose cell shows (src/ui/prose.ts): its rendered output while that output fits the
 * current text, the last rendering while a re-run is under way, and the text itself after an edit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fitsSource,
  hasInterpolations,
  placeholderRange,
  proseBody,
  proseMarkdown,
  splitProse,
  withNewParagraph,
} from '../../../src/ui/prose.js';

const md = (data: string) => ({ mime: 'text/markdown', data });

test('interpolations as the format finds them: not escaped, not in code', () => {
  assert.equal(hasInterpolations('Total: ${total}'), true);
  assert.equal(hasInterpolations('Plain text.'), false);
  assert.equal(hasInterpolations('Literal \\${x}'), false);
  assert.equal(hasInterpolations('In code `${x}`'), false);
  assert.equal(hasInterpolations('Unclosed ${x'), false);
});

test('an output fits the text it was rendered from, not an edited one', () => {
  const source = '# In ${region}\n\nTotal ${total} (${n} rows).';
  assert.equal(fitsSource(source, '# In EU\n\nTotal 12.5 (3 rows).'), true);
  assert.equal(fitsSource(source, '# In &lt;b&gt;\n\nTotal  ( rows).'), true);
  assert.equal(fitsSource(source.replace('Total', 'Sum'), '# In EU\n\nTotal 12.5 (3 rows).'), false);
  assert.equal(fitsSource('${a} and ${b}', '1 and 2'), true);
  assert.equal(fitsSource('${a} and ${b} and', '1 and 2'), false);
  // the literal parts must not overlap: "ab" cannot be both the start and the end
  assert.equal(fitsSource('ab${x}ab', 'ab'), false);
});

test('shown: the fitting output, else the last rendering, else the text', () => {
  const source = 'Value: ${x}.';
  assert.deepEqual(proseMarkdown(source, [md('Value: 1.')], undefined), {
    markdown: 'Value: 1.',
    rendered: true,
  });
  // a re-run cleared the outputs: the last values stay until the new ones arrive
  assert.deepEqual(proseMarkdown(source, [], 'Value: 1.'), { markdown: 'Value: 1.', rendered: true });
  // edited, not run yet: the new text, unrendered
  assert.deepEqual(proseMarkdown('Now ${x}!', [md('Value: 1.')], 'Value: 1.'), {
    markdown: 'Now ${x}!',
    rendered: false,
  });
  // prose without interpolations is its text
  assert.deepEqual(proseMarkdown('Plain.', [md('Old.')], undefined), { markdown: 'Plain.', rendered: false });
});

test('the editor gets the text without the blank lines that separate it from other cells', () => {
  assert.deepEqual(splitProse('\nIntro text.\n'), { lead: '\n', body: 'Intro text.', trail: '\n' });
  assert.deepEqual(splitProse('\n\n# Title\n\nMore.  \n\n'), {
    lead: '\n\n',
    body: '# Title\n\nMore.',
    trail: '  \n\n',
  });
  // indentation of the first line is Markdown (a code block), not a separator
  assert.deepEqual(splitProse('\n    code\n'), { lead: '\n', body: '    code', trail: '\n' });
  assert.deepEqual(splitProse('Alone'), { lead: '', body: 'Alone', trail: '' });
  // blank text between two cells keeps a line break on each side of what is typed into it
  assert.deepEqual(splitProse('\n\n'), { lead: '\n', body: '', trail: '\n' });
  assert.deepEqual(splitProse('\n'), { lead: '', body: '', trail: '\n' });
  assert.deepEqual(splitProse(''), { lead: '', body: '', trail: '' });
});

test('the edited text comes back as typed inside its frame; a changed frame is split again', () => {
  const frame = { lead: '\n', trail: '\n' };
  assert.equal(proseBody('\nHello \n', frame), 'Hello ');
  assert.equal(proseBody('\n\n', frame), '');
  assert.equal(proseBody('Elsewhere.\n\n', { lead: '\n\n', trail: '\n' }), 'Elsewhere.');
  assert.equal(proseBody('\n', frame), '', 'shorter than its frame');
});

test('a new paragraph next to existing text keeps the frame; its placeholder is found to select', () => {
  const source = '\n# Add\n\nMore.\n\n';
  const start = withNewParagraph(source, 'start');
  assert.equal(start, '\nNew text.\n\n# Add\n\nMore.\n\n');
  const end = withNewParagraph(source, 'end');
  assert.equal(end, '\n# Add\n\nMore.\n\nNew text.\n\n');
  assert.equal(withNewParagraph('\n\n', 'end'), '\nNew text.\n');
  const body = (s: string) => splitProse(s).body;
  assert.deepEqual(placeholderRange(body(start)), [0, 9]);
  const endBody = body(end);
  assert.deepEqual(placeholderRange(endBody), [endBody.length - 9, endBody.length]);
  assert.deepEqual(placeholderRange('New text.'), [0, 9]);
  assert.equal(placeholderRange('# Add'), undefined);
  assert.equal(placeholderRange('New text. continues'), undefined);
});
