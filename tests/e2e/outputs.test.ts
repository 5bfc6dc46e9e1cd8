/**
 * The output components on the fixture page (`/#/dev/outputs`) in a real browser: every MIME type
 * renders, the table pages and sorts over the preview rows, the Vega-Lite chart draws, and an
 * error's line is marked in the cell's editor.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { shot, start, type Harness, test } from './helpers.js';

let h: Harness;
before(async () => {
  h = await start({ 'a.nb.md': '# A\n' });
  await h.page.goto(h.server.url + '/#/dev/outputs');
  await h.page.locator('.fixtures-page').waitFor();
});
after(async () => {
  await h?.close();
});

const mime = (type: string) => `.fixture[data-mime="${type}"]`;

test('text, html, markdown, json and streams render', async () => {
  const { page } = h;
  assert.match((await page.locator(`${mime('text/plain')} pre`).textContent()) ?? '', /second line/);
  // HTML is shown in its sandboxed frame (HtmlFrame)
  const html = page.frameLocator(`${mime('text/html')} iframe.output-html`);
  assert.equal(await html.locator('.fixture-html b').textContent(), 'HTML');
  assert.equal(
    await page.locator(`${mime('text/markdown')} .output-markdown h2`).textContent(),
    'Markdown output',
  );
  assert.match((await page.locator(`${mime('application/json')} pre`).textContent()) ?? '', /"region": "EU"/);
  assert.equal(await page.locator('.output-stream.stderr').count(), 1);
});

test('a table preview pages and sorts', async () => {
  const { page } = h;
  const table = page.locator(mime('application/vnd.quire.table+json'));
  const firstId = () => table.locator('tbody tr').first().locator('td').first().textContent();
  assert.equal(await table.locator('tbody tr').count(), 10);
  assert.equal(await firstId(), '1');
  assert.match((await table.locator('.row-count').textContent()) ?? '', /preview of 42 of 1,000,000 rows/);

  await table.locator('button[aria-label="Next page"]').click();
  assert.equal(await firstId(), '11');
  assert.equal(await table.locator('.page-info').textContent(), 'page 2 of 5');

  await table.locator('th button', { hasText: 'id' }).click(); // ascending
  await table.locator('th button', { hasText: 'id' }).click(); // descending
  assert.equal(await firstId(), '42');
  await table.locator('th button', { hasText: 'total' }).click();
  const totals = await table.locator('tbody tr td:nth-child(3)').allTextContents();
  const numbers = totals.map(Number);
  assert.deepEqual(
    numbers,
    [...numbers].sort((a, b) => a - b),
  );
  await table.scrollIntoViewIfNeeded();
  await shot(page, 'table');
});

test('a Vega-Lite chart is drawn', async () => {
  const { page } = h;
  const chart = page.locator(`${mime('application/vnd.vegalite.v5+json')} .output-vega svg`).first();
  await chart.waitFor({ state: 'visible', timeout: 15000 });
  assert.ok((await page.locator(`${mime('application/vnd.vegalite.v5+json')} .mark-rect path`).count()) >= 5);
  await chart.scrollIntoViewIfNeeded();
  await shot(page, 'chart');
});

test('an error shows its cell-relative line and that line is marked in the editor', async () => {
  const { page } = h;
  const cell = page.locator('[data-cell-id="failing"]');
  await cell.locator('.cm-error-line').waitFor();
  assert.match((await cell.locator('.cm-error-line').textContent()) ?? '', /a\.nope\.deeper/);
  assert.equal(await cell.locator('.error-line').textContent(), 'line 2:18');
  assert.equal(await cell.locator('.cell-status').getAttribute('data-status'), 'error');
  await cell.scrollIntoViewIfNeeded();
  await shot(page, 'error');
});
