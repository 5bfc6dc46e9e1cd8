/**
 * Authoring in a real browser against a real server and kernels: renaming a SQL cell (an invalid
 * name is explained before anything is sent, the cell reading it is rewritten and runs on the new
 * name, F2 and an empty name remove it), adding cells from the language picker (a SQL cell that
 * runs, a cell at the top, Markdown next to text continuing that text, the first cell of an empty
 * notebook), prose edited in place with live `${x}`, completion of a name another cell declares,
 * Revert dropping an unsaved edit, raw HTML in Markdown rendered sanitized, and a refused edit that
 * stops a save instead of being saved as if accepted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { shot, start, type Harness, test } from './helpers.js';

const RENAME = [
  '# Rename',
  '',
  '```sql name=orders',
  "select * from (values ('EU', 120), ('US', 340)) as t(region, total)",
  '```',
  '',
  '```ts name=summary',
  'const count = orders.rows.length;',
  'count',
  '```',
  '',
].join('\n');

const ADD = '# Add\n\n```ts name=first\nconst first = 1;\n```\n';

const PROSE = '```ts name=xcell\nconst x = 1;\n```\n\nIntro text.\n';

const COMPLETE = [
  '---',
  'params:',
  '  factor: { type: number, default: 2 }',
  '---',
  '',
  '```ts name=a',
  'const revenue = 42;',
  '```',
  '',
  '```ts name=b',
  'const y = 1;',
  '```',
  '',
  '```sql name=q',
  'select 1 as n',
  '```',
  '',
].join('\n');

const REVERT = '# Revert\n\n```ts name=keep\nconst keep = 1;\n```\n';

const REFUSED = '```ts name=code\nconst x = 1;\n```\n```ts name=more\nconst y = 2;\n```\n\nSome text.\n';

const MARKUP = [
  '```ts name=v',
  'const v = html`<b class="bold">bold</b>`;',
  '```',
  '',
  '<details><summary>More</summary>Hidden text</details>',
  '',
  '<img src="x.png" onerror="window.__pwned = 1"> <a href="javascript:window.__pwned = 2">bad</a>',
  '<script>window.__pwned = 3</script>',
  '',
  'Value: ${v}',
  '',
].join('\n');

let h: Harness;
before(async () => {
  h = await start({
    'rename.nb.md': RENAME,
    'add.nb.md': ADD,
    'empty.nb.md': '',
    'prose.nb.md': PROSE,
    'complete.nb.md': COMPLETE,
    'revert.nb.md': REVERT,
    'markup.nb.md': MARKUP,
    'refused.nb.md': REFUSED,
  });
  // kernels start cold and the machine may be busy: generous waits
  h.page.setDefaultTimeout(60_000);
});
after(async () => {
  await h?.close();
});

const cell = (id: string) => `[data-cell-id="${id}"]`;
const read = (file: string) => readFileSync(join(h.workspace, file), 'utf8');

/** Polls `locator`'s text until it matches (outputs and renders arrive over the WebSocket). */
async function waitText(locator: Locator, pattern: RegExp, timeout = 60_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = (await locator.count()) ? ((await locator.first().textContent()) ?? '').trim() : '';
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`text ${JSON.stringify(text)} !~ ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function open(page: Page, file: string, firstCell: string): Promise<void> {
  await page.goto(`${h.server.url}/n/${file}`);
  await page.locator(firstCell).waitFor();
}

/** Replaces the text of the editor in `selector` by typing (as a user would). */
async function retype(page: Page, selector: string, text: string): Promise<void> {
  await page.click(`${selector} .cm-content`);
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
}

/** Enter on the open completion list (CodeMirror ignores keys for 75 ms after the list changes). */
async function acceptCompletion(page: Page): Promise<void> {
  await page.waitForTimeout(150);
  await page.keyboard.press('Enter');
}

test('a SQL cell renamed in its header: a bad name is explained, its reader is rewritten and runs on the new name', async () => {
  const { page } = h;
  await open(page, 'rename.nb.md', `${cell('summary')} .cm-content`);

  await page.click(`${cell('orders')} .cell-name`);
  const input = page.locator(`${cell('orders')} .cell-name-input`);
  await input.fill('1st-try');
  await input.press('Enter');
  assert.match(
    await waitText(page.locator(`${cell('orders')} .cell-name-error`), /identifier/),
    /identifier/,
  );
  // nothing was sent: the session's text is still the file's
  assert.equal(await page.locator('.save-status').getAttribute('data-dirty'), 'false');
  await input.fill('summary');
  await input.press('Enter');
  await waitText(page.locator(`${cell('orders')} .cell-name-error`), /another cell/);

  await input.fill('sales');
  await input.press('Enter');
  await waitText(page.locator(`${cell('orders')} .cell-name`), /^sales$/);
  await page.locator('.save-status[data-dirty="true"]').waitFor({ state: 'attached' });

  // the cell reading the old name was rewritten to read the new one, and a notice says so
  await waitText(page.locator(`${cell('summary')} .cm-content`), /const count = sales\.rows\.length;/);
  assert.match(await waitText(page.locator('.server-notice'), /summary/), /now reads the new name/);
  await page.click(`${cell('summary')} .cm-content`);
  await page.keyboard.press('Shift+Enter');
  await page.locator(`${cell('summary')}[data-status="ok"]`).waitFor();
  await waitText(page.locator(`${cell('summary')} .cell-outputs`), /^2$/);
  await shot(page, 'authoring-rename');

  await page.keyboard.press('Control+s');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  assert.equal(
    read('rename.nb.md'),
    RENAME.replace('name=orders', 'name=sales').replace('orders.rows', 'sales.rows'),
  );

  // F2 in an editor renames its cell; an empty name removes the name (the id stays)
  await page.click(`${cell('summary')} .cm-content`);
  await page.keyboard.press('F2');
  const summaryName = page.locator(`${cell('summary')} .cell-name-input`);
  await summaryName.waitFor();
  await summaryName.fill('');
  await summaryName.press('Enter');
  await page.locator(`${cell('summary')} .cell-name.unnamed`).waitFor();
  await page.keyboard.press('Control+s');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  assert.match(read('rename.nb.md'), /```ts\nconst count = sales/);
});

test('a SQL cell added from the picker gets a name and runs; cells go at the top and into an empty notebook', async () => {
  const { page } = h;
  await open(page, 'add.nb.md', `${cell('first')} .cm-content`);
  // the notebook starts with text: Markdown at the top is a new paragraph of that text (text next
  // to text is one cell), its placeholder selected: typing replaces it
  await page.click('.add-top .add-prose');
  await page.locator('.prose-cell.editing .cm-focused').waitFor();
  await page.keyboard.type('Intro.');
  await page.keyboard.press('Escape');
  await page.locator('.prose-cell.editing').waitFor({ state: 'detached' });
  assert.equal(await page.locator('.cell').count(), 2);
  assert.equal(await page.locator('.prose-cell .prose p').first().textContent(), 'Intro.');
  assert.equal(await page.locator('.prose-cell .prose h1').textContent(), 'Add');
  await page.keyboard.press('Control+s');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  assert.equal(read('add.nb.md'), ADD.replace('# Add', 'Intro.\n\n# Add'));

  await page.click(`${cell('first')} .cell-add-menu`);
  await page.locator('.add-menu').waitFor();
  await page.click('.add-menu .add-sql');
  const added = page.locator('.code-cell').nth(1);
  await waitText(added.locator('.cell-lang'), /^sql$/);
  assert.equal(await added.locator('.cell-name').textContent(), 'query1');
  // the new cell's editor has the focus: type and run at once
  await page.locator('.code-cell').nth(1).locator('.cm-focused').waitFor();
  await page.keyboard.type('select ${first} + 41 as answer');
  await page.keyboard.press('Shift+Enter');
  await added.locator('table').waitFor();
  assert.match(await waitText(added.locator('tbody'), /42/), /42/);
  await shot(page, 'authoring-add-sql');

  await page.click('.add-top .add-js');
  await waitText(page.locator('.cell').first().locator('.cell-lang'), /^js$/);

  await open(page, 'empty.nb.md', '.empty-notebook');
  await page.click('.add-bottom .add-prose');
  // a new text cell opens in its editor with the placeholder selected: typing replaces it
  await page.locator('.prose-cell .cm-focused').waitFor();
  await page.keyboard.type('Hello **world**');
  await page.keyboard.press('Escape');
  await waitText(page.locator('.prose-cell .prose strong'), /^world$/);
  await page.keyboard.press('Control+s');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  assert.match(read('empty.nb.md'), /Hello \*\*world\*\*/);
});

test('prose edited in place shows ${x} filled in, and follows x when it changes', async () => {
  const { page } = h;
  await open(page, 'prose.nb.md', '.prose-cell .prose');
  const prose = page.locator('.prose-cell .prose');
  assert.equal((await prose.textContent())?.trim(), 'Intro text.');

  await prose.dblclick();
  await page.locator('.prose-cell .cm-focused').waitFor();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('The value is **${x}**.');
  await page.keyboard.press('Shift+Enter');
  // Shift-Enter closed the editor and ran the text (and the cell defining x, which had not run)
  await waitText(prose, /^The value is 1\.$/);
  assert.equal(await page.locator('.prose-cell .prose strong').textContent(), '1');

  await retype(page, cell('xcell'), 'const x = 2;');
  await page.keyboard.press('Shift+Enter');
  await waitText(prose, /^The value is 2\.$/);
  await shot(page, 'authoring-prose');

  // Esc closes without running: the edited text shows as written until it runs
  await prose.dblclick();
  // the editor opens with the cursor at the end
  await page.locator('.prose-cell .cm-focused').waitFor();
  await page.keyboard.type(' Done.');
  await page.keyboard.press('Escape');
  await page.locator('.prose-cell .prose.unrendered').waitFor();
  assert.match((await prose.textContent()) ?? '', /\$\{x\}/);
  await page.click('.prose-cell .cell-run');
  await waitText(prose, /^The value is 2\. Done\.$/);

  await page.keyboard.press('Control+s');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  assert.equal(
    read('prose.nb.md'),
    PROSE.replace('1;', '2;').replace('Intro text.', 'The value is **${x}**. Done.'),
  );
});

test('completion offers the names other cells declare, in TS and in SQL', async () => {
  const { page } = h;
  await open(page, 'complete.nb.md', `${cell('b')} .cm-content`);
  const popup = page.locator('.cm-tooltip-autocomplete');

  await page.click(`${cell('b')} .cm-content`);
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('rev');
  await popup.locator('.cm-completionLabel', { hasText: 'revenue' }).waitFor();
  await shot(page, 'authoring-completion');
  await acceptCompletion(page);
  assert.match((await page.locator(`${cell('b')} .cm-content`).textContent()) ?? '', /revenue/);

  // params and built-ins too
  await page.keyboard.type(' + fac');
  await popup.locator('.cm-completionLabel', { hasText: 'factor' }).waitFor();
  await page.keyboard.press('Escape');
  await popup.waitFor({ state: 'detached' });

  // in SQL, a JS value is offered as a table, and inside ${…} as a value
  await page.click(`${cell('q')} .cm-content`);
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' + ${rev');
  await popup.locator('.cm-completionLabel', { hasText: 'revenue' }).waitFor();
  await acceptCompletion(page);
  assert.match((await page.locator(`${cell('q')} .cm-content`).textContent()) ?? '', /\$\{revenue\}/);
});

test('Revert drops an unsaved edit after asking', async () => {
  const { page } = h;
  await open(page, 'revert.nb.md', `${cell('keep')} .cm-content`);
  assert.equal(await page.locator('button.revert').isDisabled(), true);

  await page.click(`${cell('keep')} .cm-content`);
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' // draft');
  await page.locator('.save-status[data-dirty="true"]').waitFor({ state: 'attached' });
  assert.match(await page.title(), /^● /);

  await page.click('button.revert');
  await page.locator('.revert-confirm').waitFor();
  // "Keep editing" keeps it
  await page.click('.revert-no');
  assert.match((await page.locator(`${cell('keep')} .cm-content`).textContent()) ?? '', /draft/);

  await page.click('button.revert');
  await page.click('.revert-yes');
  await page.locator('.save-status[data-dirty="false"]').waitFor({ state: 'attached' });
  await waitText(page.locator(`${cell('keep')} .cm-content`), /^const keep = 1;$/);
  assert.equal(await page.locator(`${cell('keep')}.edited`).count(), 0);
  assert.doesNotMatch(await page.title(), /●/);
  assert.equal(read('revert.nb.md'), REVERT);

  // the session dropped it too: a reload shows the file's text
  await page.reload();
  await waitText(page.locator(`${cell('keep')} .cm-content`), /^const keep = 1;$/);
});

test('HTML in prose and html values in ${…} show as markup, sanitized as in a report', async () => {
  const { page } = h;
  await open(page, 'markup.nb.md', '.prose-cell .prose details');
  const prose = page.locator('.prose-cell .prose');
  assert.equal(await prose.locator('details summary').textContent(), 'More');
  // what could run is gone: no script element, no handler, no javascript: link
  assert.equal(await prose.locator('script').count(), 0);
  assert.equal(await prose.locator('img').getAttribute('onerror'), null);
  assert.equal(await prose.locator('a', { hasText: 'bad' }).getAttribute('href'), null);

  await page.click('button.run-all');
  await prose.locator('b.bold').waitFor();
  assert.equal(await prose.locator('b.bold').textContent(), 'bold');
  assert.equal(await prose.locator('script').count(), 0);
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
});

test('an edit the server refuses is not saved as if accepted; new Markdown after code keeps a blank line', async () => {
  const { page } = h;
  await open(page, 'refused.nb.md', '.prose-cell .prose');
  const prose = page.locator('.prose-cell .prose');
  await prose.dblclick();
  await page.locator('.prose-cell .cm-focused').waitFor();
  await page.keyboard.press('Control+a');
  // an interpolation left open: the format refuses the text
  await page.keyboard.insertText('Broken ${x');
  await page.keyboard.press('Escape');
  await page.locator('.server-error').first().waitFor();
  await page.keyboard.press('Control+s');
  await waitText(page.locator('.save-status'), /not saved: an edit was refused/);
  assert.equal(read('refused.nb.md'), REFUSED);

  // fixed, it goes out and saves; a Markdown cell added between two code cells gets blank lines
  await prose.dblclick();
  await page.locator('.prose-cell .cm-focused').waitFor();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText('Fixed ${x}.');
  await page.keyboard.press('Escape');
  await page.click(`${cell('code')} .cell-add-menu`);
  await page.click('.add-menu .add-prose');
  await page.locator('.prose-cell.editing .cm-focused').waitFor();
  await page.keyboard.type('Added.');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+s');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  assert.equal(
    read('refused.nb.md'),
    REFUSED.replace('```\n```', '```\n\nAdded.\n\n```').replace('Some text.', 'Fixed ${x}.'),
  );
});
