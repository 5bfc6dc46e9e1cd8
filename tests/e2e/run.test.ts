/**
 * Running cells in a real browser against a real server and kernels: Shift-Enter re-runs the cell
 * and exactly its dependents, a param change in the form updates what reads it, a chart and a table
 * render after Run all, a reload mid-run still shows the output when the cell finishes, a crashing
 * kernel shows on its cell and the next run works, and a save changes only the edited cell's bytes.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, shot, start, type Harness, test } from './helpers.js';

const DEMO = [
  '---',
  'title: Run demo',
  'params:',
  '  factor: { type: number, default: 2, description: multiplies a }',
  '  region: { type: string, default: EU, enum: [EU, US, APAC] }',
  '---',
  '',
  '# Run demo',
  '',
  '```ts name=one',
  'const a = 1;',
  'a',
  '```',
  '',
  '```ts name=two',
  'const b = a * factor;',
  '`b=${b}`',
  '```',
  '',
  '```ts name=three',
  'const c = b + 100;',
  '`c=${c} in ${region}`',
  '```',
  '',
  'An independent cell:',
  '',
  '```ts name=other',
  'const d = Math.random();',
  'd',
  '```',
  '',
  '```sql name=sales',
  "select * from (values ('EU', 120), ('US', 340), ('APAC', 90)) as t(region, total)",
  '```',
  '',
  '```ts name=chart',
  'vegalite({',
  '  data: { values: sales.rows },',
  "  mark: 'bar',",
  '  encoding: {',
  "    x: { field: 'region', type: 'nominal' },",
  "    y: { field: 'total', type: 'quantitative' },",
  '  },',
  '  width: 300,',
  '  height: 160,',
  '});',
  '```',
  '',
].join('\n');

const SLOW =
  "```ts name=slow\nawait new Promise((r) => setTimeout(r, 3000));\nconst done = 'finished';\ndone\n```\n";
const CRASH = '```ts name=boom\nprocess.exit(3);\n```\n\n```ts name=fine\nconst fine = 41 + 1;\nfine\n```\n';

const CELLS =
  '# Cells\n\nIntro.\n\n```ts name=first\nconst first = 1;\n```\n\nBetween.\n\n' +
  '```ts name=second\nconst o: any = null;\no.missing;\n```\n';

const BIG = '```sql name=big\nselect range as n, range % 7 as bucket from range(5000)\n```\n';

let h: Harness;
before(async () => {
  h = await start({
    'demo.nb.md': DEMO,
    'slow.nb.md': SLOW,
    'crash.nb.md': CRASH,
    'cells.nb.md': CELLS,
    'big.nb.md': BIG,
  });
  // kernels start cold and the machine may be busy: generous waits
  h.page.setDefaultTimeout(60_000);
});
after(async () => {
  await h?.close();
});

const cell = (id: string) => `[data-cell-id="${id}"]`;
const outputOf = (page: Page, id: string) => page.locator(`${cell(id)} .cell-outputs`).textContent();
const waitStatus = (page: Page, id: string, status: string, timeout = 60_000) =>
  page.locator(`${cell(id)}[data-status="${status}"]`).waitFor({ timeout });

async function waitOutput(page: Page, id: string, pattern: RegExp, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = (await page.locator(`${cell(id)} .cell-outputs`).count()) ? await outputOf(page, id) : '';
    if (pattern.test(text ?? '')) return;
    if (Date.now() > deadline) throw new Error(`cell ${id}: output ${JSON.stringify(text)} !~ ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('Run all shows a table and a chart; Shift-Enter re-runs a cell and exactly its dependents', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/demo.nb.md');
  await page.locator(`${cell('one')} .cm-content`).waitFor();
  await page.click('button.run-all');
  for (const id of ['one', 'two', 'three', 'other', 'sales', 'chart']) await waitStatus(page, id, 'ok');
  await waitOutput(page, 'three', /c=102 in EU/);
  await page.locator(`${cell('sales')} table`).waitFor();
  await page
    .locator(`${cell('chart')} .cell-outputs`)
    .locator('svg, canvas')
    .first()
    .waitFor();
  assert.match((await page.locator(`${cell('one')} .cell-duration`).textContent()) ?? '', /\d+(\.\d)? m?s/);
  const otherBefore = await outputOf(page, 'other');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENSHOTS, 'run.png'), fullPage: true });

  await page.click(`${cell('one')} .cm-content`);
  await page.keyboard.press('Control+a');
  await page.keyboard.type('const a = 5;\na');
  await page.keyboard.press('Shift+Enter');
  await waitOutput(page, 'three', /c=110 in EU/);
  await waitOutput(page, 'two', /b=10/);
  await waitStatus(page, 'one', 'ok');
  // the independent cell did not run again: its random output is the same
  assert.equal(await outputOf(page, 'other'), otherBefore);
  assert.equal(await page.locator(cell('other')).getAttribute('data-status'), 'ok');
});

test('a param changed in the form re-runs what reads it', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/demo.nb.md');
  await page.locator('.params-form').waitFor();
  await waitOutput(page, 'three', /in EU/);
  const otherBefore = await outputOf(page, 'other');
  await page.fill('#param-factor', '3');
  await page.locator('#param-factor').press('Enter');
  await page.locator('#param-factor').blur();
  await waitOutput(page, 'two', /b=15/);
  await waitOutput(page, 'three', /c=115 in EU/);
  await page.selectOption('#param-region', { label: 'US' });
  await waitOutput(page, 'three', /c=115 in US/);
  assert.equal(await outputOf(page, 'other'), otherBefore);
  await shot(page, 'params');
});

test('a reload while a 3 s cell runs shows its output when it finishes', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/slow.nb.md');
  await page.locator(`${cell('slow')} .cm-content`).waitFor();
  await page.click(`${cell('slow')} .cell-run`);
  await waitStatus(page, 'slow', 'running');
  await page.reload();
  // the fresh snapshot shows the run going on (unless it finished during the reload)
  await page.locator(`${cell('slow')}:is([data-status="running"], [data-status="ok"])`).waitFor();
  await waitStatus(page, 'slow', 'ok');
  await waitOutput(page, 'slow', /finished/);
});

test('Interrupt stops a running cell', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/slow.nb.md');
  await page.locator(`${cell('slow')} .cm-content`).waitFor();
  await page.click(`${cell('slow')} .cell-run`);
  await waitStatus(page, 'slow', 'running');
  await page.click('button.interrupt');
  await waitStatus(page, 'slow', 'error', 10_000);
  assert.doesNotMatch((await outputOf(page, 'slow')) ?? '', /finished/);
});

test('a cell calling process.exit shows an error on that cell, and the next run works', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/crash.nb.md');
  await page.locator(`${cell('boom')} .cm-content`).waitFor();
  await page.click(`${cell('boom')} .cell-run`);
  await waitStatus(page, 'boom', 'error');
  await page.locator(`${cell('boom')} .output-error`).waitFor();
  await page.click(`${cell('fine')} .cell-run`);
  await waitStatus(page, 'fine', 'ok');
  await waitOutput(page, 'fine', /42/);
});

test('a save after an edit changes only that cell on disk', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/crash.nb.md');
  await page.locator(`${cell('fine')} .cm-content`).waitFor();
  await page.click(`${cell('fine')} .cm-content`);
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' // checked');
  await page.keyboard.press('Control+s');
  await page.locator('.save-status[data-state="saved"]').waitFor();
  assert.equal(
    readFileSync(join(h.workspace, 'crash.nb.md'), 'utf8'),
    CRASH.replace('fine\n```\n', 'fine // checked\n```\n'),
  );
});

test('an error with a line marks that line in the editor', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/cells.nb.md');
  await page.locator(`${cell('second')} .cm-content`).waitFor();
  await page.click(`${cell('second')} .cell-run`);
  await waitStatus(page, 'second', 'error');
  await page.locator(`${cell('second')} .cm-error-line`).waitFor();
  assert.match((await page.locator(`${cell('second')} .cm-error-line`).textContent()) ?? '', /o\.missing/);
});

test('cells are added, moved and deleted from their header; a refused edit shows a banner', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/cells.nb.md');
  await page.locator(`${cell('first')} .cm-content`).waitFor();
  const ids = () =>
    page.locator('.cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-cell-id')));
  const before = await ids();
  assert.equal(before.length, 4);

  await page.click(`${cell('second')} .cell-add`);
  await page.locator('.cell').nth(4).waitFor();
  const added = (await ids())[4];
  assert.ok(added && !before.includes(added));
  assert.equal(await page.locator(`${cell(added)} .cell-lang`).textContent(), 'ts');

  await page.click(`${cell(added)} .cell-up`);
  await page.waitForFunction(
    `document.querySelectorAll('.cell')[3]?.getAttribute('data-cell-id') === ${JSON.stringify(added)}`,
  );
  await page.click(`${cell(added)} .cell-delete`);
  await page.locator(cell(added)).waitFor({ state: 'detached' });
  assert.deepEqual(await ids(), before);

  // deleting the code cell between two prose cells would merge them: the server refuses it
  await page.click(`${cell('first')} .cell-delete`);
  const banner = page.locator('.server-error');
  await banner.waitFor();
  assert.match((await banner.textContent()) ?? '', /prose/i);
  await banner.locator('.dismiss').click();
  await banner.waitFor({ state: 'detached' });
  assert.deepEqual(await ids(), before);
});

test('a big table pages and sorts on the server, never whole in the browser', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/big.nb.md');
  await page.locator(`${cell('big')} .cm-content`).waitFor();
  await page.click(`${cell('big')} .cell-run`);
  const table = page.locator(`${cell('big')} .output-table`);
  await table.waitFor();
  const firstN = () => table.locator('tbody tr').first().locator('td').first().textContent();
  assert.equal(await firstN(), '0');
  assert.match((await table.locator('.row-count').textContent()) ?? '', /5,000 rows/);

  await table.locator('button[aria-label="Next page"]').click();
  await page.waitForFunction(`document.querySelector('${cell('big')} tbody td')?.textContent === '10'`);
  // The page count first says what the preview holds (200 rows), then what the server can page to
  // (all 5,000 while the kernel holds the result): read it together with the first row, in one go.
  const pageable = `(() => {
    const root = document.querySelector('${cell('big')}');
    const pages = /of (\\d+)/.exec(root?.querySelector('.page-info')?.textContent ?? '');
    return pages ? Number(pages[1]) * 10 : 0;
  })()`;
  // descending: the largest row the server can page to comes first
  await table.locator('th button', { hasText: 'n' }).first().click();
  await table.locator('th button', { hasText: 'n' }).first().click();
  await page.waitForFunction(
    `${pageable} >= 200 && document.querySelector('${cell('big')} tbody td')?.textContent === String(${pageable} - 1)`,
  );
  const rows = (await page.evaluate(pageable)) as number;
  console.log(`big table: ${rows} of 5000 rows pageable (${rows === 5000 ? 'kernel' : 'preview'})`);
});

/** Width and height from a PNG's header (its IHDR chunk), or undefined when it is not a PNG. */
function pngSize(file: string): { width: number; height: number } | undefined {
  const bytes = readFileSync(file);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR')
    return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

// The README shows run.png and params.png (scripts/screenshots.mjs copies them to docs/images):
// this run took both, of the whole page after Run all and of the window after a param change.
test('screenshots for the README', async () => {
  const viewport = h.page.viewportSize();
  assert.ok(viewport);
  for (const name of ['run.png', 'params.png'])
    assert.ok(statSync(join(SCREENSHOTS, name)).mtimeMs >= performance.timeOrigin, `${name} is this run's`);
  const run = pngSize(join(SCREENSHOTS, 'run.png'));
  assert.equal(run?.width, viewport.width, 'run.png: a PNG of the page');
  assert.ok(run.height >= viewport.height, `run.png: the whole page, ${run.height} px high`);
  assert.deepEqual(pngSize(join(SCREENSHOTS, 'params.png')), viewport, 'params.png: a PNG of the window');
});
