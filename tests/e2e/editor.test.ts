/**
 * The editor in a real browser: the list and its search, editing and saving a cell (only that
 * cell's bytes change on disk), a stale save (a conflict, nothing overwritten), the raw mode of a
 * broken notebook, the help panel, and the open time of a 300-cell notebook (printed, not asserted).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { shot, start, waitForCount, type Harness, test } from './helpers.js';

const SALES = [
  '---',
  'title: Orders by region',
  'tags: [sales, weekly]',
  '---',
  '',
  '# Orders by region',
  '',
  'Totals per region, *weekly*.',
  '',
  '```sql name=orders',
  'select region, sum(total) as total',
  'from orders',
  'group by region',
  '```',
  '',
  'Then the top one:',
  '',
  '~~~~ts name=top',
  'const top = orders.rows[0];',
  'display(top);',
  '~~~~',
  '',
  'Trailing prose   ',
  '',
].join('\n');

const OPS = '---\ntitle: Ops health\ntags: [ops]\n---\n\n# Ops\n\n```js\nconst up = true;\n```\n';
const BROKEN = '# Broken\n\n```ts\nconst x = 1;\n';

/** 300 cells: two code cells (ts, sql) then a prose cell, a hundred times. */
function bigNotebook(): string {
  let text = '---\ntitle: Big\n---\n';
  for (let i = 0; i < 100; i++) {
    text += `\`\`\`ts name=c${i}\nconst v${i} = ${i};\nconst w${i} = v${i} * 2;\n\`\`\`\n`;
    text += `\`\`\`sql name=q${i}\nselect ${i} as n, 'x' as label\n\`\`\`\n`;
    text += `## Section ${i}\n\nSome prose with **bold** and \`code\`.\n\n`;
  }
  return text;
}

let h: Harness;
before(async () => {
  h = await start({
    'sales.nb.md': SALES,
    'ops/health.nb.md': OPS,
    'broken.nb.md': BROKEN,
    'big.nb.md': bigNotebook(),
  });
});
after(async () => {
  await h?.close();
});

test('the list shows every notebook and the search filters by title, path and tag', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/');
  await page.locator('.notebook-list li').nth(3).waitFor();
  assert.equal(await page.locator('.notebook-list li').count(), 4);
  await shot(page, 'list');

  await page.fill('input.search', 'weekly');
  await waitForCount(page, '.notebook-list li', 1);
  assert.equal(await page.locator('.nb-title').first().textContent(), 'Orders by region');

  await page.fill('input.search', 'ops/');
  await page.locator('.notebook-list a[href="/n/ops/health.nb.md"]').waitFor();
  assert.equal(await page.locator('.notebook-list li').count(), 1);
  await page.click('.notebook-list a');
  await page.waitForURL('**/n/ops/health.nb.md');
  await page.locator('.code-cell .cm-content').waitFor();
  await page.goBack();

  await page.fill('input.search', 'nothing-matches-this');
  await page.locator('text=No notebook matches.').waitFor();
});

test('an edit typed into one cell is saved, and only that cell changes on disk', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/sales.nb.md');
  await page.locator('[data-cell-id="top"] .cm-content').waitFor();
  // prose rendered as Markdown, cells with language and name in their header
  assert.equal(await page.locator('.prose-cell h1').first().textContent(), 'Orders by region');
  assert.equal(await page.locator('[data-cell-id="orders"] .cell-lang').textContent(), 'sql');

  await page.click('[data-cell-id="top"] .cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nconsole.log(top);');
  await page.locator('[data-cell-id="top"].edited').waitFor();
  await page.keyboard.press('Control+s');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  await shot(page, 'notebook');

  const expected = SALES.replace('display(top);\n~~~~', 'display(top);\nconsole.log(top);\n~~~~');
  assert.notEqual(expected, SALES);
  assert.equal(readFileSync(join(h.workspace, 'sales.nb.md'), 'utf8'), expected);

  // a second save builds on the first one's version and text
  await page.click('[data-cell-id="orders"] .cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nlimit 5');
  await page.click('button.save');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  assert.equal(
    readFileSync(join(h.workspace, 'sales.nb.md'), 'utf8'),
    expected.replace('group by region\n```', 'group by region\nlimit 5\n```'),
  );
});

test('a stale save shows the conflict and leaves the newer file alone', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/ops/health.nb.md');
  await page.locator('.code-cell .cm-content').waitFor();
  await page.click('.code-cell .cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nconst mine = 1;');
  await page.locator('.code-cell.edited').waitFor();
  // the edit reaches the server session (debounced), then someone else writes the file
  await page.waitForTimeout(800);
  const theirs = OPS.replace('const up = true;', 'const up = false; // someone else');
  writeFileSync(join(h.workspace, 'ops/health.nb.md'), theirs);
  // the server's watcher reports it: the session has unsaved edits, so it keeps them
  await page.locator('.server-error', { hasText: 'changed on disk' }).waitFor();

  await page.click('button.save');
  await page.locator('.conflict-banner').waitFor();
  assert.match((await page.locator('.conflict-banner').textContent()) ?? '', /changed on disk/);
  assert.equal(await page.locator('.save-status').getAttribute('data-state'), 'conflict');
  assert.equal(readFileSync(join(h.workspace, 'ops/health.nb.md'), 'utf8'), theirs);
  await shot(page, 'conflict');
});

test('a notebook that does not parse opens in the raw mode and can be fixed and saved', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/broken.nb.md');
  await page.locator('.parse-error').waitFor();
  assert.match((await page.locator('.parse-error').textContent()) ?? '', /line 3, column \d+/);
  await shot(page, 'raw-mode');

  await page.click('.raw-mode .cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('```\n');
  await page.keyboard.press('Control+s');
  // the fixed text parses: the page reopens it as cells
  await page.locator('.code-cell .cm-content').waitFor();
  assert.equal(readFileSync(join(h.workspace, 'broken.nb.md'), 'utf8'), BROKEN + '```\n');
});

test('? opens the keyboard shortcut help and Esc closes it', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/');
  await page.locator('.notebook-list li').first().waitFor();
  await page.keyboard.press('?');
  await page.locator('.help-panel').waitFor();
  assert.match((await page.locator('.help-panel').textContent()) ?? '', /save the notebook/);
  await shot(page, 'help');
  await page.keyboard.press('Escape');
  await page.locator('.help-panel').waitFor({ state: 'detached' });
  // `?` typed into the search box is text, not the shortcut
  await page.click('input.search');
  await page.keyboard.press('?');
  assert.equal(await page.locator('.help-panel').count(), 0);
});

test('a 300-cell notebook opens with editors created lazily (open time printed)', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/');
  const started = Date.now();
  await page.goto(h.server.url + '/n/big.nb.md');
  await page.waitForSelector('body[data-ready="notebook"]');
  await page.locator('[data-cell-id="c0"] .cm-content').waitFor();
  const wallMs = Date.now() - started;
  const markMs = await page.evaluate(
    () => performance.getEntriesByName('quire:interactive')[0]?.startTime ?? -1,
  );
  assert.equal(await page.locator('.cell').count(), 300);
  const editors = await page.locator('.cm-editor').count();
  console.log(
    `300-cell notebook: interactive ${Math.round(markMs)} ms after navigation start ` +
      `(wall ${wallMs} ms incl. goto); ${editors} of 200 code editors created up front`,
  );
  assert.ok(editors < 200, 'editors off screen are not created up front');

  // scrolled into view, the last cell gets its editor
  await page.locator('[data-cell-id="q99"]').scrollIntoViewIfNeeded();
  await page.locator('[data-cell-id="q99"] .cm-content').waitFor();
});
